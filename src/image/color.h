// Colour handling:
// - `preserve_colors`, a post-hoc swap: keep the luminance of the result and the chroma of the
//   content (ITU-R BT.601 YCbCr, full range), as Gatys et al. 2016 "Preserving color" and the
//   anchors' --original_colors do;
// - colour control (Gatys, Ecker, Bethge, Hertzmann and Shechtman, CVPR 2017, Sec. 5), applied to
//   the inputs before the optimization: luminance-only transfer in YIQ, or the style's colour
//   histogram matched to the content's (docs/config.md gives the formulas).
#pragma once

#include "image/image.h"

namespace stylesweep {

// Both images must have the same size.
Image transfer_luminance(const Image& luminance_source, const Image& chroma_source);

// YIQ luminance Y = 0.299 R + 0.587 G + 0.114 B in all three channels.
Image luminance_image(const Image& image);
// The style's luminance matched to the content's mean and standard deviation,
// Y' = sigma_c / sigma_s (Y_s - mu_s) + mu_c, in all three channels.
Image matched_luminance_image(const Image& style, const Image& content);
// RGB from the YIQ luminance of `luminance_source` (clamped to 0-255 first) and the I and Q of
// `chroma_source`; both must have the same size.
Image join_yiq(const Image& luminance_source, const Image& chroma_source);

// The style's pixels x (0-1 scale) become A (x - mu_s) + mu_c, clipped to [0, 1], with A mapping
// the style's covariance (+1e-5 I) onto the content's: Cholesky factors L_c L_s^-1, symmetric
// square roots Q_c Q_s^-1, or the Gaussian optimal-transport map Q_s^-1 (Q_s S_c Q_s)^1/2 Q_s^-1.
enum class HistogramMatch { kCholesky, kPca, kSymmetric };
Image matched_histogram(const Image& style, const Image& content, HistogramMatch method);

}  // namespace stylesweep
