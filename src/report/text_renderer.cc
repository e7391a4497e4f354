#include "report/text_renderer.h"

#include <fstream>
#include <iterator>
#include <vector>

#include <stb/stb_truetype.h>

#include "common/error.h"

namespace stylesweep {

struct TextRenderer::Font {
  std::vector<unsigned char> bytes;
  stbtt_fontinfo info;
};

TextRenderer::TextRenderer(const std::string& font_path) : font_(std::make_unique<Font>()) {
  std::ifstream in(font_path, std::ios::binary);
  if (!in) throw file_error(font_path, "cannot open font (install fonts-dejavu-core)", ErrorKind::kBadInput);
  font_->bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (font_->bytes.empty() || !stbtt_InitFont(&font_->info, font_->bytes.data(), 0)) {
    throw file_error(font_path, "not a TrueType font", ErrorKind::kBadInput);
  }
}

TextRenderer::~TextRenderer() = default;

int TextRenderer::width(const std::string& text, float pixel_height) const {
  const float scale = stbtt_ScaleForPixelHeight(&font_->info, pixel_height);
  int total = 0;
  for (unsigned char c : text) {
    int advance = 0, bearing = 0;
    stbtt_GetCodepointHMetrics(&font_->info, c, &advance, &bearing);
    total += advance;
  }
  return int(float(total) * scale + 0.5f);
}

void TextRenderer::draw(Image& image, int x, int y, const std::string& text, float pixel_height,
                        float gray) const {
  const float scale = stbtt_ScaleForPixelHeight(&font_->info, pixel_height);
  int ascent = 0, descent = 0, gap = 0;
  stbtt_GetFontVMetrics(&font_->info, &ascent, &descent, &gap);
  const int baseline = y + int(float(ascent) * scale);
  float pen = float(x);
  for (unsigned char c : text) {
    int glyph_width = 0, glyph_height = 0, x_offset = 0, y_offset = 0;
    unsigned char* bitmap = stbtt_GetCodepointBitmap(&font_->info, scale, scale, c, &glyph_width,
                                                     &glyph_height, &x_offset, &y_offset);
    for (int row = 0; row < glyph_height; ++row) {
      for (int column = 0; column < glyph_width; ++column) {
        const int px = int(pen) + x_offset + column, py = baseline + y_offset + row;
        if (px < 0 || py < 0 || px >= image.width || py >= image.height) continue;
        const float coverage = bitmap[row * glyph_width + column] / 255.0f;
        for (int channel = 0; channel < 3; ++channel) {
          float& value = image.at(py, px, channel);
          value = value * (1 - coverage) + gray * coverage;
        }
      }
    }
    stbtt_FreeBitmap(bitmap, nullptr);
    int advance = 0, bearing = 0;
    stbtt_GetCodepointHMetrics(&font_->info, c, &advance, &bearing);
    pen += float(advance) * scale;
  }
}

}  // namespace stylesweep
