#pragma once
// JPEG EXIF orientation: phones store pixels as the sensor saw them and record in EXIF how a
// viewer turns them upright. Images are read as viewers show them.

#include <string>

#include "image/image.h"

namespace stylesweep {

// The orientation tag (1-8) of a JPEG's EXIF segment; 1 (upright) when there is none or it
// cannot be read, as viewers do.
int jpeg_exif_orientation(const std::string& jpeg_bytes);

// Whether `orientation` turns the image by a quarter (5-8): width and height swap.
bool orientation_swaps_sides(int orientation);

// The stored pixels turned upright (the EXIF specification's meaning of values 1-8:
// 2 mirror, 3 rotate 180, 4 flip, 5 transpose, 6 rotate 90 clockwise, 7 transverse,
// 8 rotate 90 anticlockwise).
Image apply_orientation(const Image& stored, int orientation);

}  // namespace stylesweep
