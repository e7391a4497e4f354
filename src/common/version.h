// The version of stylesweep, from a source file the build generates (build/src/version.cc), so a
// version bump recompiles one file.
#pragma once

namespace stylesweep {
const char* version();
}  // namespace stylesweep
