// The name of the loss normalization stored with every result, so others can be added later.
#pragma once

namespace stylesweep {
constexpr const char* kNormalizationName = "paper";
}  // namespace stylesweep
