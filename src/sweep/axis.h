// Axis values of a sweep: a YAML list, or a generator {logspace|linspace: [a, b, n]},
// {range: [a, b, step]} (b excluded, like Python's range) or {repeat: n} (0 .. n-1, for seeds).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

namespace stylesweep {

// How many values the axis spec gives, computed without generating them (the --max-jobs check
// runs before anything is allocated). Throws ConfigError on a malformed spec.
std::uint64_t axis_length(const YAML::Node& spec, const std::string& file,
                          const std::string& key_path);
// One value of an axis, with where it came from (generated values point at their generator).
struct AxisValue {
  YAML::Node value;
  YAML::Mark mark;
};

// The values themselves, as YAML nodes (scalars or lists).
std::vector<AxisValue> axis_values(const YAML::Node& spec, const std::string& file,
                                    const std::string& key_path);

// For validation: every value of a list, but only the first and last of a generator (its values
// are a monotone sequence of numbers, so the ends bound the rest).
std::vector<AxisValue> axis_bounds(const YAML::Node& spec, const std::string& file,
                                   const std::string& key_path);

}  // namespace stylesweep
