// The sweep config parser and expander on arbitrary YAML. Images and a weights file exist in a
// scratch directory so that valid configs expand all the way; the expansion is capped at 2,000
// jobs so one input cannot take minutes.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include "fuzz_support.h"
#include "image/image.h"
#include "sweep/config.h"
#include "sweep/expand.h"

namespace {

std::string prepare() {
  using namespace stylesweep;
  const std::string directory = fuzz::scratch_directory();
  for (const char* name : {"a.png", "b.png"}) {
    Image image;
    image.width = 64;
    image.height = name[0] == 'a' ? 48 : 64;
    image.pixels.assign(std::size_t(image.width) * image.height * 3, 0.0f);
    for (std::size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = float((i * 37) % 256);
    write_png(directory + "/" + name, image);
  }
  Image mask;  // spatial control's mask for a.png: two regions
  mask.width = 64;
  mask.height = 48;
  for (int y = 0; y < mask.height; ++y) {
    for (int x = 0; x < mask.width; ++x) {
      const float red = y < 24 ? 255.0f : 0.0f;
      mask.pixels.insert(mask.pixels.end(), {red, 0.0f, 255.0f - red});
    }
  }
  write_png(directory + "/m.png", mask);
  std::ofstream(directory + "/weights.h5") << "stand-in weights: the expander only hashes them";
  return directory;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string directory = prepare();
  const std::string text(reinterpret_cast<const char*>(data), size);
  stylesweep::fuzz::expect_only_errors([&] {
    const stylesweep::SweepConfig config =
        stylesweep::parse_sweep_config(text, directory + "/sweep.yaml");
    const stylesweep::SweepPlan plan =
        stylesweep::expand_sweep(config, stylesweep::every_weights_name_as(directory + "/weights.h5"), 2000);
    for (const auto& job : plan.jobs) {
      if (job.id.size() != 16 || job.label.empty() || job.label.find('/') != std::string::npos ||
          job.label[0] == '.') {
        __builtin_trap();  // ids and labels become file names
      }
    }
  });
  return 0;
}
