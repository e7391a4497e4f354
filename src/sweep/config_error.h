// Errors in sweep configs carry the file, line and column (1-based) and the key path, e.g.
//   configs/x.yaml:14:10: grid.ratio: must be a finite number > 0, got -1
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "common/error.h"

namespace stylesweep {

// Always bad input: the config is what must change.
class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& message) : Error(message, ErrorKind::kBadInput) {}
};

// "<file>:<line>:<column>: <key_path>: <reason>" at the node's position.
ConfigError config_error(const std::string& file, const YAML::Mark& mark,
                         const std::string& key_path, const std::string& reason);

}  // namespace stylesweep
