#include "vgg/zip_member.h"

#include <array>
#include <cstdint>
#include <optional>

#include <fmt/format.h>

#include "common/error.h"
#include "vgg/inflate.h"

namespace stylesweep {
namespace {

constexpr std::uint32_t kEndOfDirectory = 0x06054b50;
constexpr std::uint32_t kDirectoryEntry = 0x02014b50;
constexpr std::uint32_t kLocalHeader = 0x04034b50;
constexpr std::size_t kEndOfDirectorySize = 22;
constexpr std::uint16_t kStored = 0, kDeflated = 8;

// Little-endian fields at offsets the archive gives; every read is bounds-checked, since the
// offsets come from the file.
class ZipBytes {
 public:
  ZipBytes(const std::string& path, const std::string& bytes) : path_(path), bytes_(bytes) {}

  std::uint32_t u16(std::size_t offset) const { return std::uint32_t(byte(offset)) | std::uint32_t(byte(offset + 1)) << 8; }
  std::uint32_t u32(std::size_t offset) const { return u16(offset) | u16(offset + 2) << 16; }
  std::string text(std::size_t offset, std::size_t size) const {
    require_range(offset, size);
    return bytes_.substr(offset, size);
  }
  void require_range(std::size_t offset, std::size_t size) const {
    if (offset > bytes_.size() || size > bytes_.size() - offset) fail("truncated (an entry points past its end)");
  }
  [[noreturn]] void fail(const std::string& reason) const {
    throw file_error(path_, "not a readable zip archive: " + reason, ErrorKind::kBadInput);
  }
  std::size_t size() const { return bytes_.size(); }
  const char* data(std::size_t offset) const { return bytes_.data() + offset; }

 private:
  std::uint8_t byte(std::size_t offset) const {
    require_range(offset, 1);
    return std::uint8_t(bytes_[offset]);
  }
  const std::string& path_;
  const std::string& bytes_;
};

std::size_t end_of_directory(const ZipBytes& zip) {
  if (zip.size() < kEndOfDirectorySize) zip.fail("too short");
  // The record sits at the end, followed by a comment of at most 65535 bytes.
  const std::size_t lowest = zip.size() > kEndOfDirectorySize + 0xffff ? zip.size() - kEndOfDirectorySize - 0xffff : 0;
  for (std::size_t offset = zip.size() - kEndOfDirectorySize + 1; offset-- > lowest;) {
    if (zip.u32(offset) == kEndOfDirectory) return offset;
  }
  zip.fail("no end-of-central-directory record (truncated, or not a zip file)");
}

struct MemberEntry {
  std::uint32_t method = 0, crc = 0, compressed_size = 0, size = 0, local_offset = 0;
};

std::optional<MemberEntry> find_member(const ZipBytes& zip, const std::string& member_name) {
  const std::size_t end = end_of_directory(zip);
  const std::uint32_t count = zip.u16(end + 10);
  std::size_t offset = zip.u32(end + 16);
  for (std::uint32_t i = 0; i < count; ++i) {
    if (zip.u32(offset) != kDirectoryEntry) zip.fail(fmt::format("central directory entry {} is damaged", i + 1));
    const std::uint32_t name_size = zip.u16(offset + 28), extra_size = zip.u16(offset + 30),
                        comment_size = zip.u16(offset + 32);
    if (zip.text(offset + 46, name_size) == member_name) {
      MemberEntry entry{zip.u16(offset + 10), zip.u32(offset + 16), zip.u32(offset + 20), zip.u32(offset + 24),
                        zip.u32(offset + 42)};
      if (entry.compressed_size == 0xffffffff || entry.size == 0xffffffff || entry.local_offset == 0xffffffff) {
        zip.fail(member_name + " is stored in zip64 form, which this reader does not take");
      }
      return entry;
    }
    offset += 46 + name_size + extra_size + comment_size;
  }
  return std::nullopt;
}

// CRC-32 (ISO-HDLC, zip's), bit by bit through a table built once.
std::uint32_t crc32_of(const std::string& bytes) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> entries{};
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
      entries[n] = c;
    }
    return entries;
  }();
  std::uint32_t crc = 0xffffffffu;
  for (char byte : bytes) crc = table[(crc ^ std::uint8_t(byte)) & 0xff] ^ (crc >> 8);
  return crc ^ 0xffffffffu;
}

}  // namespace

std::string read_zip_member(const std::string& archive_path, const std::string& archive_bytes,
                            const std::string& member_name) {
  const ZipBytes zip(archive_path, archive_bytes);
  const std::optional<MemberEntry> entry = find_member(zip, member_name);
  if (!entry) throw file_error(archive_path, "the archive holds no " + member_name, ErrorKind::kBadInput);
  if (zip.u32(entry->local_offset) != kLocalHeader) zip.fail(member_name + ": its local header is damaged");
  const std::size_t data_offset =
      std::size_t(entry->local_offset) + 30 + zip.u16(entry->local_offset + 26) + zip.u16(entry->local_offset + 28);
  zip.require_range(data_offset, entry->compressed_size);
  std::string bytes;
  if (entry->method == kStored) {
    if (entry->compressed_size != entry->size) zip.fail(member_name + ": stored sizes disagree");
    bytes = zip.text(data_offset, entry->size);
  } else if (entry->method == kDeflated) {
    std::optional<std::string> inflated = inflate_raw(zip.data(data_offset), entry->compressed_size, entry->size);
    if (!inflated) zip.fail(fmt::format("{}: the deflate stream is damaged (not {} bytes)", member_name, entry->size));
    bytes = std::move(*inflated);
  } else {
    zip.fail(fmt::format("{}: compression method {} (only stored and deflate are read)", member_name, entry->method));
  }
  const std::uint32_t crc = crc32_of(bytes);
  if (crc != entry->crc) zip.fail(fmt::format("{}: CRC-32 {:08x}, the archive says {:08x}", member_name, crc, entry->crc));
  return bytes;
}

}  // namespace stylesweep
