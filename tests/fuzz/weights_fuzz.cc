// The weights loader on weights files built from the input: root attributes of any value
// (missing, wrong type, NaN means, unknown channel orders), convolution layers present or
// skipped, with right or wrong shapes and element types, and NaN or infinite values. The files
// are real HDF5 written through the project's own writer, so the loader's checks are fuzzed,
// not libhdf5's parser (which the project does not own and cannot fix).
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "h5/h5_file.h"
#include "vgg/vgg_layers.h"
#include "vgg/weights_file.h"

namespace {

using stylesweep::h5::File;

// Only the first convolutions: deeper ones hold megabytes each and would slow every input.
constexpr int kMaxConvs = 4;

double pick_double(FuzzedDataProvider& input) {
  switch (input.ConsumeIntegralInRange(0, 4)) {
    case 0: return std::numeric_limits<double>::quiet_NaN();
    case 1: return std::numeric_limits<double>::infinity();
    case 2: return 0.0;
    default: return input.ConsumeFloatingPoint<double>();
  }
}

void write_root_attributes(FuzzedDataProvider& input, File& file) {
  if (input.ConsumeBool()) {
    file.set_attribute("/", "format", input.ConsumeBool() ? std::string("stylesweep-vgg19")
                                                          : input.ConsumeRandomLengthString(24));
  }
  if (input.ConsumeBool()) {
    if (input.ConsumeBool()) {
      file.set_attribute("/", "format_version", std::int64_t(input.ConsumeIntegralInRange(-1, 3)));
    } else {
      file.set_attribute("/", "format_version", input.ConsumeRandomLengthString(8));
    }
  }
  if (input.ConsumeBool()) {
    const char* orders[] = {"RGB", "BGR", "rgb", ""};
    file.set_attribute("/", "channel_order",
                       input.ConsumeBool() ? std::string(orders[input.ConsumeIntegralInRange(0, 3)])
                                           : input.ConsumeRandomLengthString(8));
  }
  for (const char* name : {"mean", "std"}) {
    if (!input.ConsumeBool()) continue;
    if (input.ConsumeIntegralInRange(0, 5) == 0) {
      file.set_attribute("/", name, input.ConsumeRandomLengthString(8));
      continue;
    }
    std::vector<double> values(std::size_t(input.ConsumeIntegralInRange(0, 4)));
    for (double& value : values) value = pick_double(input);
    if (values.size() == 1) {
      file.set_attribute("/", name, values[0]);
    } else {
      file.set_attribute("/", name, values);
    }
  }
  if (input.ConsumeBool()) file.set_attribute("/", "source", input.ConsumeRandomLengthString(64));
}

void write_dataset(FuzzedDataProvider& input, File& file, const std::string& path,
                   std::vector<hsize_t> shape) {
  if (input.ConsumeIntegralInRange(0, 7) == 0 && !shape.empty()) {
    shape[std::size_t(input.ConsumeIntegralInRange<std::size_t>(0, shape.size() - 1))] =
        hsize_t(input.ConsumeIntegralInRange(0, 70));  // a wrong (or empty) dimension
  }
  if (input.ConsumeIntegralInRange(0, 9) == 0) shape.push_back(1);  // a wrong rank
  std::size_t count = 1;
  for (hsize_t dimension : shape) count *= std::size_t(dimension);
  const float fill = float(input.ConsumeFloatingPointInRange<double>(-1.0, 1.0));
  std::vector<float> values(count, fill);
  if (count > 0 && input.ConsumeIntegralInRange(0, 5) == 0) {
    const float bad[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                         -std::numeric_limits<float>::infinity()};
    values[input.ConsumeIntegralInRange<std::size_t>(0, count - 1)] = bad[input.ConsumeIntegralInRange(0, 2)];
  }
  if (input.ConsumeIntegralInRange(0, 7) == 0) {
    std::vector<double> wide(values.begin(), values.end());  // float64: the wrong element type
    file.write_float64(path, shape, wide.data());
  } else {
    file.write_float32(path, shape, values.data());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stylesweep;
  FuzzedDataProvider input(data, size);
  const std::string path = fuzz::scratch_directory() + "/weights.h5";
  {
    File file = File::create(path);
    write_root_attributes(input, file);
    int written = 0;
    for (const auto& layer : vgg19_layers()) {
      if (layer.kind != LayerKind::kConv || written == kMaxConvs) continue;
      ++written;
      if (input.ConsumeIntegralInRange(0, 5) == 0) continue;  // a missing layer
      const hsize_t out = hsize_t(layer.out_channels), in = hsize_t(layer.in_channels);
      if (input.ConsumeIntegralInRange(0, 9) != 0) write_dataset(input, file, "/" + layer.name + "/weight", {out, in, 3, 3});
      if (input.ConsumeIntegralInRange(0, 9) != 0) write_dataset(input, file, "/" + layer.name + "/bias", {out});
    }
    file.close();
  }
  fuzz::expect_only_errors([&] {
    const VggWeights weights = read_weights(path);
    for (const auto& [name, conv] : weights.convs) {
      if (conv.weight.size() != std::size_t(conv.out_channels) * conv.in_channels * 9 ||
          conv.bias.size() != std::size_t(conv.out_channels)) {
        __builtin_trap();  // the loader promised checked shapes
      }
      for (float value : conv.weight) {
        if (!std::isfinite(value)) __builtin_trap();
      }
    }
    for (double value : weights.mean) {
      if (!std::isfinite(value)) __builtin_trap();
    }
    for (double value : weights.std) {
      if (!std::isfinite(value) || value == 0) __builtin_trap();
    }
  });
  fuzz::expect_only_errors([&] { read_weights_source(path); });
  return 0;
}
