// stb_image compiled here rather than taken from libstb: Debian builds that with assert() on, and
// a malformed JPEG then aborts the whole process inside stbi__jpeg_huff_decode (image_fuzz found
// one, tests/fuzz/corpus/image_fuzz/jpeg-huffman-assert). With stb's internal consistency checks
// off, as its release builds have them, such a file fails to decode instead. The definitions
// here come before libstb's in the link, so image.cc calls these.
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ASSERT(condition) ((void)0)
#include <stb/stb_image.h>
