#include <zlib.h>

#include "common/error.h"
#include "vgg/inflate.h"

namespace stylesweep {

std::optional<std::string> inflate_raw(const char* compressed, std::size_t compressed_size, std::size_t size) {
  std::string output(size, '\0');
  z_stream stream{};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) throw Error("zlib: inflateInit2 failed", ErrorKind::kInternal);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed));
  stream.avail_in = uInt(compressed_size);
  stream.next_out = reinterpret_cast<Bytef*>(output.data());
  stream.avail_out = uInt(size);
  const int status = inflate(&stream, Z_FINISH);
  const bool whole = status == Z_STREAM_END && stream.total_out == size;
  inflateEnd(&stream);
  if (!whole) return std::nullopt;
  return output;
}

}  // namespace stylesweep
