// stb_image compiled here rather than taken from libstb, from the copy the build writes with the
// bounds checks of later stb releases (cmake/checked_stb_image.cmake): Debian's v2.27 reads and
// writes past its Huffman tables on malformed JPEGs. Only the two formats stylesweep accepts are
// compiled in. stb's internal consistency asserts are off, as in its release builds, so a corrupt
// file fails to decode instead of aborting the process. These definitions come before libstb's
// in the link, so image.cc calls them.
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_ASSERT(condition) ((void)0)
#include <stb_image_checked.h>
