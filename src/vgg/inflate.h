// Raw deflate streams (zip members) inflated with zlib; a build without zlib (STYLESWEEP_ZLIB
// OFF, or none found) has inflate_raw throw, and a wheel's .bin must then be given unzipped.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace stylesweep {

// The `size` bytes inflated from `compressed`; nullopt when the stream is damaged or does not
// inflate to exactly `size` bytes.
std::optional<std::string> inflate_raw(const char* compressed, std::size_t compressed_size, std::size_t size);

}  // namespace stylesweep
