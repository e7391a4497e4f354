#include <CLI/CLI.hpp>

#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "common/sha256.h"
#include "vgg/random_weights.h"
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

}  // namespace

void add_weights_command(CLI::App& app) {
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

  CLI::App* info = weights->add_subcommand("info", "Print layers, shapes, attributes and SHA-256");
  auto file = std::make_shared<std::string>();
  info->add_option("FILE", *file, "Weights file")->required();
  info->callback([file] { print_weights_info(*file); });
}

}  // namespace stylesweep
