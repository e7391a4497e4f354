// Image-space parts of the common yardstick (docs/metrics.md), in float64 on the CPU:
// - luma_ssim: SSIM (Wang et al. 2004) of BT.601 luma, 0-255 as floats, data range 255, an 11x11
//   Gaussian window of sigma 1.5, K1 = 0.01, K2 = 0.03, the mean over the positions where the
//   window lies wholly inside the image;
// - color_w2: the 2-Wasserstein distance between Gaussians fitted to two images' RGB pixels
//   (0-255, covariances divided by the pixel count):
//   sqrt(|mu1 - mu2|^2 + tr(S1 + S2 - 2 (S2^1/2 S1 S2^1/2)^1/2)).
#pragma once

#include "image/image.h"
#include "image/rgb_gaussian.h"

namespace stylesweep {

constexpr int kSsimWindow = 11;

// NaN when the images differ in size or either side is below kSsimWindow.
double luma_ssim(const Image& a, const Image& b);
double color_w2(const Image& a, const Image& b);

}  // namespace stylesweep
