#include "vgg/torch_legacy_file.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "common/error.h"

namespace stylesweep {
namespace {

// What the pickles of a saved dict of tensors hold. A tensor refers to its storage by key; the
// storages' bytes follow the pickles.
struct PickleValue {
  enum class Kind { kNone, kBool, kInt, kBigInt, kText, kTuple, kList, kDict, kGlobal, kStorage, kTensor };
  Kind kind = Kind::kNone;
  std::int64_t integer = 0;           // kInt, kBool; kStorage: element count; kTensor: offset
  std::string text;                   // kText; kBigInt: its bytes; kGlobal: "module.name"; kStorage, kTensor: key
  std::vector<PickleValue> items;     // kTuple, kList; kDict: key, value, key, value, ...
  TorchElementType type = TorchElementType::kFloat32;  // kStorage, kTensor
  std::vector<std::int64_t> shape, stride;             // kTensor
  std::int64_t storage_elements = 0;                   // kTensor: its storage's element count
};
using Kind = PickleValue::Kind;

class ByteReader {
 public:
  ByteReader(const std::string& path, const std::string& bytes) : path_(path), bytes_(bytes) {}

  std::size_t offset() const { return offset_; }
  std::size_t left() const { return bytes_.size() - offset_; }
  std::string take(std::size_t size) {
    if (size > left()) fail(fmt::format("truncated: {} bytes needed, {} left", size, left()));
    std::string taken = bytes_.substr(offset_, size);
    offset_ += size;
    return taken;
  }
  std::uint64_t unsigned_le(std::size_t size) {
    const std::string raw = take(size);
    std::uint64_t value = 0;
    for (std::size_t i = size; i-- > 0;) value = value << 8 | std::uint8_t(raw[i]);
    return value;
  }
  std::string line() {
    const std::size_t end = bytes_.find('\n', offset_);
    if (end == std::string::npos) fail("truncated: a GLOBAL opcode without its newline");
    const std::size_t size = end - offset_;
    return take(size + 1).substr(0, size);
  }
  [[noreturn]] void fail(const std::string& reason, std::size_t at = std::string::npos) const {
    throw file_error(path_, fmt::format("byte {}: {} (not a PyTorch legacy save of tensors)",
                                        at == std::string::npos ? offset_ : at, reason), ErrorKind::kBadInput);
  }

 private:
  const std::string& path_;
  const std::string& bytes_;
  std::size_t offset_ = 0;
};

PickleValue integer_value(std::int64_t value) {
  PickleValue result;
  result.kind = Kind::kInt;
  result.integer = value;
  return result;
}

std::vector<std::int64_t> integers(const ByteReader& reader, const PickleValue& tuple, const char* what) {
  std::vector<std::int64_t> values;
  for (const PickleValue& item : tuple.items) {
    if (item.kind != Kind::kInt) reader.fail(fmt::format("a tensor's {} holds a non-integer", what));
    values.push_back(item.integer);
  }
  return values;
}

// The pickle machine: a stack, marks and a memo, for the opcodes of protocol 2 that a saved dict
// of tensors uses.
class PickleMachine {
 public:
  explicit PickleMachine(ByteReader& reader) : reader_(reader) {}

  PickleValue run() {
    while (true) {
      const std::size_t at = reader_.offset();
      const auto opcode = std::uint8_t(reader_.take(1)[0]);
      if (opcode == '.') break;
      step(opcode, at);
    }
    if (stack_.size() != 1 || !marks_.empty()) reader_.fail("a pickle ends with an unbalanced stack");
    return stack_.back();
  }

 private:
  void step(std::uint8_t opcode, std::size_t at) {
    switch (opcode) {
      case 0x80: reader_.take(1); return;                        // PROTO
      case 0x94: memo_[std::uint32_t(memo_.size())] = top(at); return;  // MEMOIZE
      case '}': return push_kind(Kind::kDict);                   // EMPTY_DICT
      case ']': return push_kind(Kind::kList);                   // EMPTY_LIST
      case ')': return push_kind(Kind::kTuple);                  // EMPTY_TUPLE
      case 'N': return push_kind(Kind::kNone);                   // NONE
      case 0x88: case 0x89: {                                    // NEWTRUE, NEWFALSE
        PickleValue value = integer_value(opcode == 0x88);
        value.kind = Kind::kBool;
        return stack_.push_back(value);
      }
      case '(': marks_.push_back(stack_.size()); return;         // MARK
      case 'X': return push_text(reader_.take(std::size_t(reader_.unsigned_le(4))));  // BINUNICODE
      case 0x8c: return push_text(reader_.take(std::size_t(reader_.unsigned_le(1))));  // SHORT_BINUNICODE
      case 'K': return stack_.push_back(integer_value(std::int64_t(reader_.unsigned_le(1))));  // BININT1
      case 'M': return stack_.push_back(integer_value(std::int64_t(reader_.unsigned_le(2))));  // BININT2
      case 'J': return stack_.push_back(integer_value(std::int32_t(std::uint32_t(reader_.unsigned_le(4)))));  // BININT
      case 0x8a: return push_long(std::size_t(reader_.unsigned_le(1)));  // LONG1
      case 'q': memo_[std::uint32_t(reader_.unsigned_le(1))] = top(at); return;  // BINPUT
      case 'r': memo_[std::uint32_t(reader_.unsigned_le(4))] = top(at); return;  // LONG_BINPUT
      case 'h': return get(std::uint32_t(reader_.unsigned_le(1)), at);  // BINGET
      case 'j': return get(std::uint32_t(reader_.unsigned_le(4)), at);  // LONG_BINGET
      case 'c': return push_global();                            // GLOBAL
      case 't': return push_tuple(pop_to_mark(at));              // TUPLE
      case 0x85: case 0x86: case 0x87: return push_tuple(pop_items(std::size_t(opcode - 0x84), at));  // TUPLE1-3
      case 'Q': return persistent_load(pop(at), at);             // BINPERSID
      case 'R': return reduce(at);                               // REDUCE
      case 's': return add_items(pop_items(2, at), at);          // SETITEM
      case 'u': case 'e': return add_items(pop_to_mark(at), at);  // SETITEMS, APPENDS
      case 'a': return add_items(pop_items(1, at), at);          // APPEND
      default:
        reader_.fail(fmt::format("unexpected pickle opcode 0x{:02x}", opcode), at);
    }
  }

  void push_kind(Kind kind) {
    PickleValue value;
    value.kind = kind;
    stack_.push_back(std::move(value));
  }
  void push_text(std::string text) {
    PickleValue value;
    value.kind = Kind::kText;
    value.text = std::move(text);
    stack_.push_back(std::move(value));
  }
  void push_long(std::size_t size) {
    PickleValue value;
    value.text = reader_.take(size);
    value.kind = Kind::kBigInt;
    if (size <= 8) {
      std::uint64_t bits = 0;
      for (std::size_t i = size; i-- > 0;) bits = bits << 8 | std::uint8_t(value.text[i]);
      if (size > 0 && size < 8 && (std::uint8_t(value.text[size - 1]) & 0x80)) bits |= ~std::uint64_t{0} << (8 * size);
      value = integer_value(std::int64_t(bits));
    }
    stack_.push_back(std::move(value));
  }
  void push_global() {
    PickleValue value;
    value.kind = Kind::kGlobal;
    value.text = reader_.line();
    value.text += "." + reader_.line();
    stack_.push_back(std::move(value));
  }
  void push_tuple(std::vector<PickleValue> items) {
    PickleValue value;
    value.kind = Kind::kTuple;
    value.items = std::move(items);
    stack_.push_back(std::move(value));
  }

  const PickleValue& top(std::size_t at) const {
    if (stack_.empty()) reader_.fail("memo of an empty stack", at);
    return stack_.back();
  }
  PickleValue pop(std::size_t at) {
    if (stack_.size() <= (marks_.empty() ? 0 : marks_.back())) reader_.fail("pop of an empty stack", at);
    PickleValue value = std::move(stack_.back());
    stack_.pop_back();
    return value;
  }
  std::vector<PickleValue> pop_items(std::size_t count, std::size_t at) {
    std::vector<PickleValue> items(count);
    for (std::size_t i = count; i-- > 0;) items[i] = pop(at);
    return items;
  }
  std::vector<PickleValue> pop_to_mark(std::size_t at) {
    if (marks_.empty()) reader_.fail("no MARK to pop to", at);
    const std::size_t mark = marks_.back();
    marks_.pop_back();
    std::vector<PickleValue> items(std::make_move_iterator(stack_.begin() + std::ptrdiff_t(mark)),
                                   std::make_move_iterator(stack_.end()));
    stack_.resize(mark);
    return items;
  }
  void get(std::uint32_t key, std::size_t at) {
    auto found = memo_.find(key);
    if (found == memo_.end()) reader_.fail(fmt::format("memo {} was never stored", key), at);
    stack_.push_back(found->second);
  }
  void add_items(std::vector<PickleValue> items, std::size_t at) {
    if (stack_.empty()) reader_.fail("items for no container", at);
    PickleValue& container = stack_.back();
    if (container.kind == Kind::kDict && items.size() % 2 != 0) reader_.fail("a dict item without its value", at);
    if (container.kind != Kind::kDict && container.kind != Kind::kList) reader_.fail("items for a non-container", at);
    for (PickleValue& item : items) container.items.push_back(std::move(item));
  }

  // ('storage', torch.XStorage, key, location, element count[, view metadata]).
  void persistent_load(PickleValue id, std::size_t at) {
    const std::vector<PickleValue>& parts = id.items;
    if (id.kind != Kind::kTuple || parts.size() < 5 || parts[0].text != "storage" || parts[1].kind != Kind::kGlobal ||
        parts[2].kind != Kind::kText || parts[4].kind != Kind::kInt) {
      reader_.fail("a persistent id that is not a storage", at);
    }
    PickleValue storage;
    storage.kind = Kind::kStorage;
    if (parts[1].text == "torch.ByteStorage") {
      storage.type = TorchElementType::kUint8;
    } else if (parts[1].text == "torch.FloatStorage") {
      storage.type = TorchElementType::kFloat32;
    } else {
      reader_.fail("storage type " + parts[1].text + " (expected torch.ByteStorage or torch.FloatStorage)", at);
    }
    storage.text = parts[2].text;
    storage.integer = parts[4].integer;
    stack_.push_back(std::move(storage));
  }

  // The two calls a saved tensor makes: an empty OrderedDict (its hooks, or the dict itself) and
  // _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata]).
  void reduce(std::size_t at) {
    PickleValue arguments = pop(at);
    const PickleValue callable = pop(at);
    if (callable.kind == Kind::kGlobal && callable.text == "collections.OrderedDict" && arguments.items.empty()) {
      return push_kind(Kind::kDict);
    }
    if (callable.kind != Kind::kGlobal || callable.text != "torch._utils._rebuild_tensor_v2") {
      reader_.fail("unexpected class or function " + (callable.kind == Kind::kGlobal ? callable.text : "(not a global)"), at);
    }
    const std::vector<PickleValue>& parts = arguments.items;
    if (parts.size() < 4 || parts[0].kind != Kind::kStorage || parts[1].kind != Kind::kInt ||
        parts[2].kind != Kind::kTuple || parts[3].kind != Kind::kTuple) {
      reader_.fail("_rebuild_tensor_v2 with unexpected arguments", at);
    }
    PickleValue tensor;
    tensor.kind = Kind::kTensor;
    tensor.text = parts[0].text;
    tensor.type = parts[0].type;
    tensor.integer = parts[1].integer;
    tensor.storage_elements = parts[0].integer;
    tensor.shape = integers(reader_, parts[2], "size");
    tensor.stride = integers(reader_, parts[3], "stride");
    stack_.push_back(std::move(tensor));
  }

  ByteReader& reader_;
  std::vector<PickleValue> stack_;
  std::vector<std::size_t> marks_;
  std::map<std::uint32_t, PickleValue> memo_;
};

std::size_t element_size(TorchElementType type) { return type == TorchElementType::kUint8 ? 1 : 4; }

void check_header(ByteReader& reader, const std::string& bytes) {
  if (bytes.compare(0, 2, "PK") == 0) reader.fail("a zip archive: torch.save's zip format, or a wheel to unpack");
  if (bytes.compare(0, 2, "\x80\x02") != 0) reader.fail("no pickle protocol 2 header");
  const std::size_t start = reader.offset();
  const PickleValue magic = PickleMachine(reader).run();
  // 0x1950a86a20f9469cfc6c, little-endian, as torch/serialization.py writes it.
  const std::string expected_magic("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10);
  if (magic.kind != Kind::kBigInt || magic.text != expected_magic) reader.fail("no legacy torch.save magic number", start);
  const std::size_t version_at = reader.offset();
  const PickleValue version = PickleMachine(reader).run();
  if (version.kind != Kind::kInt || version.integer != 1001) reader.fail("protocol version is not 1001", version_at);
  const std::size_t info_at = reader.offset();
  const PickleValue info = PickleMachine(reader).run();
  for (std::size_t i = 0; i + 1 < info.items.size(); i += 2) {
    if (info.items[i].text == "little_endian" && info.items[i + 1].integer != 1) {
      reader.fail("saved on a big-endian machine", info_at);
    }
  }
}

// Each storage's element count and bytes, in the order of the key list.
std::map<std::string, std::string> read_storages(ByteReader& reader, const std::map<std::string, PickleValue>& storages) {
  const std::size_t keys_at = reader.offset();
  const PickleValue keys = PickleMachine(reader).run();
  if (keys.kind != Kind::kList) reader.fail("the storage key list is not a list", keys_at);
  std::map<std::string, std::string> bytes;
  for (const PickleValue& key : keys.items) {
    auto storage = storages.find(key.text);
    if (key.kind != Kind::kText || storage == storages.end()) reader.fail("a storage key no tensor names", keys_at);
    const std::size_t count_at = reader.offset();
    const std::uint64_t count = reader.unsigned_le(8);
    if (storage->second.integer < 0 || count != std::uint64_t(storage->second.integer)) {
      reader.fail(fmt::format("storage {} holds {} elements, its tensor says {}", key.text, count,
                              storage->second.integer), count_at);
    }
    if (count > reader.left() / element_size(storage->second.type)) {
      reader.fail(fmt::format("truncated: storage {} needs {} elements, {} bytes are left", key.text, count,
                              reader.left()));
    }
    bytes[key.text] = reader.take(std::size_t(count) * element_size(storage->second.type));
  }
  if (reader.left() != 0) reader.fail(fmt::format("{} bytes after the last storage", reader.left()));
  return bytes;
}

TorchTensor tensor_of(const ByteReader& reader, const std::string& name, const PickleValue& value,
                      const std::map<std::string, std::string>& storages) {
  auto storage = storages.find(value.text);
  if (storage == storages.end()) reader.fail(name + ": its storage is missing");
  const std::size_t size = element_size(value.type);
  // Sizes come from the file: bounded by the storage before any product can overflow.
  const auto elements = std::int64_t(storage->second.size() / size);
  std::int64_t expected_stride = 1, count = 1;
  for (std::size_t i = value.shape.size(); i-- > 0;) {
    if (value.shape[i] < 0 || value.shape[i] > elements || value.stride.size() != value.shape.size() ||
        (value.shape[i] > 1 && value.stride[i] != expected_stride)) {
      reader.fail(name + ": not a contiguous tensor within its storage");
    }
    expected_stride *= std::max<std::int64_t>(value.shape[i], 1);
    count = value.shape[i] == 0 ? 0 : count * value.shape[i];
    if (count > elements || expected_stride > elements) reader.fail(name + ": its elements run past its storage");
  }
  if (value.integer < 0 || value.integer > elements - count) reader.fail(name + ": its elements run past its storage");
  return {value.type, value.shape, storage->second.substr(std::size_t(value.integer) * size, std::size_t(count) * size)};
}

}  // namespace

std::map<std::string, TorchTensor> read_torch_legacy_tensors(const std::string& path, const std::string& bytes) {
  ByteReader reader(path, bytes);
  check_header(reader, bytes);
  const std::size_t object_at = reader.offset();
  const PickleValue object = PickleMachine(reader).run();
  if (object.kind != Kind::kDict) reader.fail("the saved object is not a dict", object_at);
  std::map<std::string, PickleValue> storages;  // by key: type and element count
  for (std::size_t i = 0; i < object.items.size(); i += 2) {
    const PickleValue& key = object.items[i];
    const PickleValue& value = object.items[i + 1];
    if (key.kind != Kind::kText || value.kind != Kind::kTensor) reader.fail("a dict entry that is not a named tensor", object_at);
    PickleValue& storage = storages[value.text];
    storage.kind = Kind::kStorage;
    storage.type = value.type;
    storage.integer = value.storage_elements;
  }
  const std::map<std::string, std::string> storage_bytes = read_storages(reader, storages);
  std::map<std::string, TorchTensor> tensors;
  for (std::size_t i = 0; i < object.items.size(); i += 2) {
    tensors[object.items[i].text] = tensor_of(reader, object.items[i].text, object.items[i + 1], storage_bytes);
  }
  return tensors;
}

}  // namespace stylesweep
