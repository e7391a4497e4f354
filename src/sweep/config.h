// Sweep configs: a YAML file that names the images, the engine defaults and the axes of a grid.
// See docs/config.md for every key. Loading validates structure, names, image files and each
// value's type and range; every error names file:line:column and the key path.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <utility>
#include <vector>

#include "sweep/parameters.h"

namespace stylesweep {

struct AxisSpec {
  std::string key;       // a job parameter name
  YAML::Node spec;       // a list or a generator map
  std::string key_path;  // "grid.ratio", for messages
};

struct SweepConfig {
  std::string path;       // as given
  std::string text;       // the YAML as written, stored with the results
  std::string name;
  std::string weights;    // every job's by default: a weights name (`vgg19`, `random`) or an absolute path
  std::string yardstick_weights;  // the metrics' network: a name or an absolute path (default: `weights`)
  std::string output;     // directory for results, absolute or relative to the working directory
  ImageTable images;
  std::vector<std::pair<std::string, YAML::Node>> defaults;
  std::vector<AxisSpec> grid;  // cartesian product, first axis slowest
  std::vector<AxisSpec> zip;   // varied together, crossed with the grid as its fastest axis
};

// Throws ConfigError (file:line:col: key.path: reason) for any problem.
SweepConfig load_sweep_config(const std::string& path);
// Same, from text (tests); `path` is used for messages and relative paths.
SweepConfig parse_sweep_config(const std::string& text, const std::string& path);

}  // namespace stylesweep
