// Text on images for report labels, rendered with stb_truetype from a TrueType font (Debian's
// fonts-dejavu-core by default).
#pragma once

#include <memory>
#include <string>

#include "image/image.h"

namespace stylesweep {

constexpr const char* kDefaultFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

class TextRenderer {
 public:
  // Throws Error naming the font file when it is missing or not a font.
  explicit TextRenderer(const std::string& font_path = kDefaultFont);
  ~TextRenderer();
  // Width in pixels of `text` at `pixel_height`.
  int width(const std::string& text, float pixel_height) const;
  // Draws `text` with its top-left corner at (x, y), blending `gray` (0 black .. 255 white) over
  // the image by the glyphs' coverage; clipped to the image.
  void draw(Image& image, int x, int y, const std::string& text, float pixel_height,
            float gray = 0) const;

 private:
  struct Font;
  std::unique_ptr<Font> font_;
};

}  // namespace stylesweep
