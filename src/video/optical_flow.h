// Optical flow between frames and what Ruder, Dosovitskiy and Brox ("Artistic style transfer for
// videos", 2016) build on it: warping along the flow, the reliability mask c of their eq. 5-6
// (forward-backward consistency and motion boundaries) and the warping error used to measure
// temporal consistency. OpenCV's DIS flow (Kroeger et al. 2016) computes it; nothing else here
// needs OpenCV in its interface.
#pragma once

#include <vector>

#include "image/image.h"

namespace stylesweep {

// Displacements per pixel, row-major: the pixel p of one frame is at p + (dx, dy) in the other.
struct Flow {
  int width = 0, height = 0;
  std::vector<float> dx, dy;
};

// The flow from `from` to `to` (same size): from(p) ≈ to(p + flow(p)). DIS on the luma, medium
// preset with variational refinement.
Flow optical_flow(const Image& from, const Image& to);

// `image` sampled at p + flow(p), bilinear; positions outside are clamped to the border.
Image warp(const Image& image, const Flow& flow);

// Ruder et al.'s c per pixel of the frame `flow` starts from (1 reliable, 0 not): 0 where
// |w̃ + ŵ|² > 0.01 (|w̃|² + |ŵ|²) + 0.5 (disoccluded; eq. 5, ŵ = flow, w̃ = back sampled at
// p + ŵ(p)), where |∇ŵ_x|² + |∇ŵ_y|² > 0.01 |ŵ|² + 0.002 (motion boundaries, eq. 6), and where
// p + ŵ(p) leaves the image (pixels entering the frame).
std::vector<float> reliability(const Flow& flow, const Flow& back);

// How another frame maps onto this one: the flow from this frame to the other and its
// reliability (the backward flow is computed for the check).
struct FrameAlignment {
  Flow flow;
  std::vector<float> mask;
};
FrameAlignment align_frames(const Image& frame, const Image& other);

// E_warp = Σ c ‖a − b‖² / Σ c over pixels, RGB on the 0-255 scale (0 when no pixel is reliable).
double warping_error(const Image& a, const Image& b, const std::vector<float>& mask);

}  // namespace stylesweep
