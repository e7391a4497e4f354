// The one place where a weights name becomes a file. Wherever a weights file is taken (stylize's
// --weights, a sweep's `weights`, its map, axis and `yardstick_weights`), two names work too:
//   vgg19   the pretrained VGG-19 (vgg/pretrained.h), the default; fetched once with
//           `stylesweep weights fetch vgg19`, never replaced silently by anything else
//   random  the seed-0 random VGG-19 (vgg/random_weights.h), created on first use
// Planners resolve names here and hand jobs the file and its SHA-256; workers and the store read
// only those.
#pragma once

#include <string>

namespace stylesweep {

constexpr const char* kPretrainedWeightsName = "vgg19";
constexpr const char* kRandomWeightsName = "random";
constexpr const char* kDefaultWeightsName = kPretrainedWeightsName;

bool is_weights_name(const std::string& text);

// The file `name_or_path` stands for: a name's file, anything else returned as it is (checking a
// path is its caller's, who knows what it was relative to). Throws Error (bad input) when
// `vgg19` has not been fetched, naming the path looked at and the command that fetches it.
std::string weights_file_for(const std::string& name_or_path);

}  // namespace stylesweep
