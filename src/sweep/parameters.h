// Job parameters as they appear in sweep configs (defaults, grid and zip axes), applied to a
// StyleJob with type checks: every parameter of job/job_fields.h, read by its type; `content`
// and `style` name declared images, and a relative `init` path is relative to the config.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <vector>

#include "job/job_params.h"

namespace stylesweep {

const std::vector<std::string>& job_parameter_names();
bool is_job_parameter(const std::string& key);

// Resolves image names and relative paths while applying parameters.
struct ImageTable {
  std::map<std::string, std::string> content;  // name -> absolute path
  std::map<std::string, std::string> style;
  std::map<std::string, std::string> masks;    // spatial control's region masks
  std::map<std::string, std::string> videos;   // clips: a video file or a directory of frames
  // Where each clip is declared ("sweep.yaml:4:10: images.videos.pan"), for errors in its frames.
  std::map<std::string, std::string> video_places;
  std::map<std::string, std::string> weights;  // the top-level `weights` map: name -> absolute path
  std::string base_directory;                  // of the config file, for `init` and `weights` paths
};

// Sets `key` on `job` from `value`. Throws ConfigError at `mark` naming `key_path` when the value
// has the wrong type or is out of range (the engine's own validation decides the range).
void apply_job_parameter(StyleJob& job, const std::string& key, const YAML::Node& value,
                         const ImageTable& images, const std::string& file,
                         const YAML::Mark& mark, const std::string& key_path);

// A short, readable rendering of a parameter value for labels and tables
// (layers joined by '+', numbers in shortest form).
std::string parameter_text(const YAML::Node& value);

}  // namespace stylesweep
