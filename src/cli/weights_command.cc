#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "common/sha256.h"
#include "common/error.h"
#include "image/image.h"
#include "vgg/keras_import.h"
#include "vgg/random_weights.h"
#include "vgg/weights_check.h"
#include "vgg/vgg_layers.h"
#include "vgg/weights_file.h"

namespace stylesweep {
namespace {

void print_weights_info(const std::string& path) {
  const VggWeights weights = read_weights(path);
  std::cout << fmt::format("file           {}\n", path);
  std::cout << fmt::format("sha256         {}\n", sha256_file(path));
  std::cout << fmt::format("format         {} version {}\n", kWeightsFormat, kWeightsFormatVersion);
  std::cout << fmt::format("channel_order  {}\n", weights.channel_order);
  std::cout << fmt::format("mean           [{:.6g}, {:.6g}, {:.6g}]\n", weights.mean[0],
                           weights.mean[1], weights.mean[2]);
  std::cout << fmt::format("std            [{:.6g}, {:.6g}, {:.6g}]\n", weights.std[0],
                           weights.std[1], weights.std[2]);
  std::cout << fmt::format("source         {}\n", weights.source);
  std::cout << fmt::format("layers         {} of 16 conv layers\n", weights.convs.size());
  for (const auto& name : vgg19_conv_names()) {
    auto found = weights.convs.find(name);
    if (found == weights.convs.end()) continue;
    std::cout << fmt::format("  {:<8} weight [{}, {}, 3, 3]  bias [{}]\n", name,
                             found->second.out_channels, found->second.in_channels,
                             found->second.out_channels);
  }
}

// The bundled sample images, found from the executable rather than a path baked in at build
// time: configs/images of the tree it was built in (build/src/stylesweep), or an installed
// share/stylesweep/images.
std::vector<std::string> bundled_sample_images() {
  const std::vector<std::string> names = {"chelsea.png", "coffee.png", "hubble_deep_field.jpg"};
  std::error_code ignored;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ignored);
  for (std::filesystem::path directory = self.parent_path(); !directory.empty() && directory != directory.root_path();
       directory = directory.parent_path()) {
    for (const auto& candidate : {directory / "configs" / "images", directory / "share" / "stylesweep" / "images"}) {
      if (!std::filesystem::exists(candidate / names.front(), ignored)) continue;
      std::vector<std::string> paths;
      for (const auto& name : names) paths.push_back((candidate / name).string());
      return paths;
    }
  }
  throw Error("weights verify: no bundled sample images near " + self.string() + "; pass --images", ErrorKind::kBadInput);
}

Outcome verify_weights(const std::string& path, std::vector<std::string> images) {
  const VggWeights weights = read_weights(path);  // format, shapes, dtypes, finiteness
  if (images.empty()) images = bundled_sample_images();
  std::vector<float> pixels;
  for (const auto& image_path : images) {
    const Image image = resize_long_side(read_image(image_path), 128);
    pixels.insert(pixels.end(), image.pixels.begin(), image.pixels.end());
  }
  const WeightsReport report = check_weights(weights, pixels);
  std::cout << fmt::format("{}: {} of 16 conv layers, all finite; source: {}\n", path, weights.convs.size(),
                           weights.source);
  std::cout << fmt::format("conv1_1 smoothness (neighbour correlation): {:.3f} -> {}\n",
                           report.conv1_smoothness,
                           report.looks_pretrained ? "looks pretrained" : "looks random");
  std::cout << fmt::format("preprocessed sample pixels off centre by {:.2f} std -> {}\n",
                           report.input_mean_in_std,
                           report.preprocessing_plausible ? "plausible" : "suspicious");
  std::cout << "not checked: channel order (RGB vs BGR cannot be told from the weights alone)\n";
  for (const auto& warning : report.warnings) std::cout << "warning: " << warning << "\n";
  return report.warnings.empty() ? Outcome::kOk : Outcome::kWarnings;
}

}  // namespace

void add_weights_command(CLI::App& app, Outcome& outcome) {
  CLI::App* weights = app.add_subcommand("weights", "Create and inspect VGG-19 weights files");
  weights->require_subcommand(1);

  CLI::App* random = weights->add_subcommand(
      "random", "Write a deterministic random VGG-19 (the offline default) in the project's format");
  auto seed = std::make_shared<std::uint64_t>(0);
  auto out = std::make_shared<std::string>();
  random->add_option("--seed", *seed, "Generator seed; the same seed gives a byte-identical file")
      ->capture_default_str();
  random->add_option("--out", *out, "Output HDF5 file")->required();
  random->callback([seed, out] {
    write_weights(*out, random_weights(*seed));
    std::cout << fmt::format("wrote {} (sha256 {})\n", *out, sha256_file(*out));
  });

  CLI::App* import = weights->add_subcommand("import", "Convert published VGG-19 weights into the project's format");
  import->require_subcommand(1);
  CLI::App* keras = import->add_subcommand(
      "keras", "Keras' vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5 (HWIO kernels, BGR, Caffe mean)");
  auto keras_file = std::make_shared<std::string>();
  auto keras_out = std::make_shared<std::string>();
  keras->add_option("FILE", *keras_file, "The Keras weights file")->required();
  keras->add_option("--out", *keras_out, "Output weights file")->required();
  keras->callback([keras_file, keras_out] {
    write_weights(*keras_out, import_keras_weights(*keras_file));
    std::cout << fmt::format("wrote {} (sha256 {}) from {}\n", *keras_out, sha256_file(*keras_out), *keras_file);
  });

  CLI::App* verify = weights->add_subcommand(
      "verify", "Check a weights file: format, finiteness, and whether it looks pretrained and its "
                "preprocessing fits (exit 1 with warnings)");
  auto verify_file = std::make_shared<std::string>();
  auto verify_images = std::make_shared<std::vector<std::string>>();
  verify->add_option("FILE", *verify_file, "Weights file")->required();
  verify->add_option("--images", *verify_images, "Sample images (default: the bundled ones)");
  verify->callback([verify_file, verify_images, &outcome] {
    outcome = verify_weights(*verify_file, *verify_images);
  });

  CLI::App* info = weights->add_subcommand("info", "Print layers, shapes, attributes and SHA-256");
  auto file = std::make_shared<std::string>();
  info->add_option("FILE", *file, "Weights file")->required();
  info->callback([file] { print_weights_info(*file); });
}

}  // namespace stylesweep
