// Writes a clip's frames as a WebM video (VP8, which every browser plays) with OpenCV's videoio.
#pragma once

#include <string>
#include <vector>

#include "image/image.h"

namespace stylesweep {

// Frames of one size; the file appears complete or not at all (written beside it, then renamed).
// Throws Error naming the path when it cannot be written.
void write_webm(const std::string& path, const std::vector<Image>& frames, double frames_per_second);

}  // namespace stylesweep
