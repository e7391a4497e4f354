// The name of the loss normalization stored with every result and in every job id, so results
// of different normalizations are never mixed or compared by mistake.
#pragma once

namespace stylesweep {
// Style Grams compared per position, E_l = sum (G/M - A/Ms)^2 / (4 N^2): the paper's formula
// where the style has the result's size, without the size mismatch's bias elsewhere.
constexpr const char* kNormalizationName = "paper-per-position";
// The paper's E_l = sum (G - A)^2 / (4 N^2 M^2) with A over the style's own positions, which
// earlier versions computed and recorded; their results and checkpoints are refused.
constexpr const char* kEarlierNormalizationName = "paper";
}  // namespace stylesweep
