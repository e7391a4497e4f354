// The job parameters that take one of a few values: the optimizer, the network's pooling and the
// starting image. Parsed once where they enter (config, options, wire), enums after that.
#pragma once

#include <optional>
#include <string>
#include <type_traits>

#include "common/choice.h"

namespace stylesweep {

enum class Optimizer { kLbfgs, kAdam };  // the paper's L-BFGS | Adam, as in the TensorFlow port
enum class Pooling { kAvg, kMax };       // the paper's average pooling | VGG's own max pooling
// The arithmetic of the network's convolutions and matrix products: float32 throughout (the
// paper's, TF32 off on GPUs) | TF32 tensor cores on GPUs | bfloat16 network, float32 losses.
enum class Precision { kFp32, kTf32, kBf16 };

template <>
struct ChoiceNames<Optimizer> {
  static constexpr std::array<const char*, 2> names = {"lbfgs", "adam"};
};
template <>
struct ChoiceNames<Pooling> {
  static constexpr std::array<const char*, 2> names = {"avg", "max"};
};
template <>
struct ChoiceNames<Precision> {
  static constexpr std::array<const char*, 3> names = {"fp32", "tf32", "bf16"};
};

// Colour control before the optimization (Gatys et al. 2017, Sec. 5): none | luminance-only
// transfer in YIQ | the style's colour histogram matched to the content's by Cholesky factors,
// symmetric square roots (PCA) or the Gaussian optimal-transport map.
enum class ColorControl { kNone, kLuminance, kHistogramChol, kHistogramPca, kHistogramSym };
// The per-layer style loss: the paper's Gram loss compared per position | the Gram loss
// normalized as jcjohnson/neural-style | squared 2-Wasserstein distance between Gaussians fitted
// to the features | the sliced Wasserstein loss of Heitz et al. 2021 | the patch (MRF) loss of Li and
// Wand 2016.
enum class StyleLoss { kGram, kGramMse, kGaussianW2, kSlicedWasserstein, kMrf };

template <>
struct ChoiceNames<ColorControl> {
  static constexpr std::array<const char*, 5> names = {"none", "luminance", "histogram_chol", "histogram_pca",
                                                       "histogram_sym"};
};
template <>
struct ChoiceNames<StyleLoss> {
  static constexpr std::array<const char*, 5> names = {"gram", "gram_mse", "gaussian_w2", "sliced_wasserstein",
                                                       "mrf"};
};

// Video (Ruder et al. 2016): what a frame starts from in a clip's first pass: the previous
// frame's result warped along the optical flow | that result as it is | the job's `init`
// (independent frames).
enum class VideoInit { kPrevWarped, kPrev, kInit };
// How a clip's passes run: frame after frame, later passes alternating direction (Ruder's) |
// every frame of a pass at once, pass p starting from pass p-1's results of the frame and its
// neighbours.
enum class VideoSchedule { kSequential, kParallel };

template <>
struct ChoiceNames<VideoInit> {
  static constexpr std::array<const char*, 3> names = {"prev_warped", "prev", "init"};
};
template <>
struct ChoiceNames<VideoSchedule> {
  static constexpr std::array<const char*, 2> names = {"sequential", "parallel"};
};

// The starting image: white noise, the content or style image, or an image file.
enum class InitKind { kNoise, kContent, kStyle, kImage };
struct Init {
  InitKind kind = InitKind::kNoise;
  std::string image;  // the file's path, for kImage only

  bool operator==(const Init& other) const { return kind == other.kind && image == other.image; }
  bool operator!=(const Init& other) const { return !(*this == other); }
};

// "noise", "content", "style" or the image's path; empty text is no init.
std::string init_text(const Init& init);
std::optional<Init> parse_init(const std::string& text);

// The text form of every such parameter type, for code that walks the field table.
template <typename T>
inline constexpr bool has_text_form_v = is_choice_v<T> || std::is_same_v<T, Init>;

template <typename T>
std::string to_text(const T& value) {
  if constexpr (std::is_same_v<T, Init>) return init_text(value);
  else return choice_name(value);
}

template <typename T>
std::optional<T> from_text(const std::string& text) {
  if constexpr (std::is_same_v<T, Init>) return parse_init(text);
  else return parse_choice<T>(text);
}

// Why `text` is no T: "must be 'lbfgs' or 'adam', got 'sgd'".
template <typename T>
std::string invalid_text_reason(const std::string& text) {
  std::string expected;
  if constexpr (std::is_same_v<T, Init>) expected = "noise, content, style or an image path";
  else expected = choice_alternatives<T>();
  return "must be " + expected + ", got '" + text + "'";
}

}  // namespace stylesweep
