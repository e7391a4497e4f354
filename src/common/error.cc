#include "common/error.h"

namespace stylesweep {

Error file_error(const std::string& path, const std::string& reason) {
  return Error(path + ": " + reason);
}

}  // namespace stylesweep
