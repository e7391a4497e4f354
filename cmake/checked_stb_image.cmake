# stb_image with the bounds checks that upstream added after v2.27, the version Debian 12 ships.
# v2.27 writes past its Huffman tables on a JPEG whose DHT segment declares more than 256 codes,
# and reads past them on a code that maps outside the table or a table no segment defined
# (image_fuzz found each); later stb releases return "Corrupt JPEG" for the first two. The patched copy goes to the build tree. Each replacement
# must match, so another stb version fails the configure step instead of going unchecked.

# Replaces `old` by `new` in the variable named by text_var; fails when `old` is not there.
function(_stylesweep_stb_replace text_var source_header old new)
  string(FIND "${${text_var}}" "${old}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${source_header}: an stb_image version this build does not know (no "
                        "match for '${old}', where a bounds check goes); Debian 12's v2.27 is "
                        "expected")
  endif()
  string(REPLACE "${old}" "${new}" replaced "${${text_var}}")
  set(${text_var} "${replaced}" PARENT_SCOPE)
endfunction()

function(stylesweep_checked_stb_image source_header output_header)
  file(READ "${source_header}" text)
  # Size list: one entry per code, at most 256 codes and a terminator.
  _stylesweep_stb_replace(text "${source_header}"
    "         h->size[k++] = (stbi_uc) (i+1);\n   h->size[k] = 0;"
    "      { h->size[k++] = (stbi_uc) (i+1);\n        if (k >= 257) return stbi__err(\"bad size list\",\"Corrupt JPEG\"); }\n   h->size[k] = 0;")
  # DHT values: the loop that follows writes n bytes into a 256-entry table.
  _stylesweep_stb_replace(text "${source_header}"
    "            L -= 17;\n            if (tc == 0) {"
    "            if (n > 256) return stbi__err(\"bad DHT header\",\"Corrupt JPEG\");\n            L -= 17;\n            if (tc == 0) {")
  # A symbol id from a corrupt stream outside the table: a bad code, as upstream reports it.
  _stylesweep_stb_replace(text "${source_header}"
    "   c = ((j->code_buffer >> (32 - k)) & stbi__bmask[k]) + h->delta[k];\n"
    "   c = ((j->code_buffer >> (32 - k)) & stbi__bmask[k]) + h->delta[k];\n   if (c < 0 || c >= 256) return -1;\n")
  # A scan that uses a table no DHT segment defined finds no maxcode sentinel: stop at 17.
  _stylesweep_stb_replace(text "${source_header}"
    "   for (k=FAST_BITS+1 ; ; ++k)\n      if (temp < h->maxcode[k])"
    "   for (k=FAST_BITS+1 ; k < 17 ; ++k)\n      if (temp < h->maxcode[k])")
  file(WRITE "${output_header}.tmp" "${text}")
  configure_file("${output_header}.tmp" "${output_header}" COPYONLY)
endfunction()
