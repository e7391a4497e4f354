// Files that survive a crash at any moment: write under a temporary name, fsync, rename over the
// final name, fsync the directory. Readers see the old file or the new one, never a torn one.
#pragma once

#include <string>

#include "common/error.h"

namespace stylesweep {

// A temporary name next to `path`, unique to this process.
std::string temporary_path_for(const std::string& path);
// fsyncs `temporary`, renames it to `path` and fsyncs the directory. Throws Error naming the path.
void commit_file(const std::string& temporary, const std::string& path);
// Writes `bytes` to `path` durably (temporary name, fsync, rename).
void write_file_durably(const std::string& path, const std::string& bytes);
// Renames without syncing: for files a later sync_filesystem() makes durable in one go.
void rename_into_place(const std::string& temporary, const std::string& path);
// Flushes every written file and rename on the filesystem holding `path` (syncfs): one sync
// for many small files instead of an fsync each. Throws Error naming the path.
void sync_filesystem(const std::string& path);

// Why writing `path` probably failed, for libraries that do not say (HDF5, stb): "disk full
// (12 KiB free on <dir>)", "<dir> does not exist", "<dir> is not writable", or a guess.
std::string write_failure_reason(const std::string& path);
// Its kind: bad input when the directory is missing or not writable (a wrong path was given),
// an I/O failure otherwise (a full disk, a quota, the device).
ErrorKind write_failure_kind(const std::string& path);

}  // namespace stylesweep
