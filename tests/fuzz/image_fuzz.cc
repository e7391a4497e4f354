// The image decoder path: signature and header checks, the size limits, then stb's decoder.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "image/image.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  stylesweep::fuzz::expect_only_errors([&] {
    // A 2-megapixel limit: the same checks and decoder, without minutes-long decodes under ASan.
    const stylesweep::Image image = stylesweep::decode_image(bytes, "fuzz-input", 2'000'000);
    // A decoded image must be what it claims to be.
    if (image.width <= 0 || image.height <= 0 ||
        image.pixels.size() != std::size_t(image.width) * std::size_t(image.height) * 3) {
      __builtin_trap();
    }
    stylesweep::resize_long_side(image, 8);
  });
  return 0;
}
