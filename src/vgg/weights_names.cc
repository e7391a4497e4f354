#include "vgg/weights_names.h"

#include <filesystem>

#include <fmt/format.h>

#include "common/error.h"
#include "vgg/pretrained.h"
#include "vgg/random_weights.h"

namespace stylesweep {

bool is_weights_name(const std::string& text) { return text == kPretrainedWeightsName || text == kRandomWeightsName; }

std::string weights_file_for(const std::string& name_or_path) {
  if (name_or_path == kRandomWeightsName) return ensure_default_weights();
  if (name_or_path != kPretrainedWeightsName) return name_or_path;
  const std::string path = pretrained_weights_path();
  if (std::error_code ignored; std::filesystem::is_regular_file(path, ignored)) return path;
  throw Error(fmt::format("vgg19: the pretrained VGG-19 is not at {}; fetch it once with `stylesweep weights fetch "
                          "vgg19` (or `make weights`), or name another file (`random` for random weights)",
                          path),
              ErrorKind::kBadInput);
}

}  // namespace stylesweep
