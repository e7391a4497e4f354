// Seeded random VGG-19 weights: the offline default when no pretrained file is at hand.
// Built with the project's own generator, so a seed gives the same file on every machine.
#pragma once

#include <cstdint>
#include <string>

#include "vgg/weights_file.h"

namespace stylesweep {

VggWeights random_weights(std::uint64_t seed);

// Where the CLI keeps the default random file when the user gives no --weights.
std::string default_weights_path();
// Creates the default file (seed 0) if it does not exist yet; returns its path.
std::string ensure_default_weights(bool* created = nullptr);

}  // namespace stylesweep
