#include "sweep/config.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include <fmt/format.h>

#include "common/text.h"
#include "image/image.h"
#include "image/region_masks.h"
#include "sweep/axis.h"
#include "sweep/config_error.h"
#include "sweep/expand.h"
#include "vgg/weights_names.h"

namespace stylesweep {
namespace {

const std::vector<std::string> kTopLevelKeys = {"name",     "weights", "yardstick_weights", "output", "images",
                                                "defaults", "grid",    "zip"};
constexpr std::size_t kMaxNameLength = 64;

struct Context {
  std::string file;
  std::filesystem::path directory;
};

struct Entry {
  std::string key;
  YAML::Mark key_mark;
  YAML::Node value;
};

// Map entries in order; a key given twice is an error (yaml-cpp keeps both silently).
std::vector<Entry> entries(const YAML::Node& map, const Context& context,
                           const std::string& key_path) {
  if (!map.IsMap()) {
    throw config_error(context.file, map.Mark(), key_path, "expected a mapping of keys to values");
  }
  std::vector<Entry> result;
  std::set<std::string> seen;
  for (const auto& entry : map) {
    if (!entry.first.IsScalar()) {
      throw config_error(context.file, entry.first.Mark(), key_path.empty() ? "config" : key_path,
                         "keys must be plain names, not lists or mappings");
    }
    const std::string key = entry.first.Scalar();
    const std::string path = key_path.empty() ? key : key_path + "." + key;
    if (!seen.insert(key).second) {
      throw config_error(context.file, entry.first.Mark(), path, "duplicate key");
    }
    result.push_back({key, entry.first.Mark(), entry.second});
  }
  return result;
}

std::string resolve_path(const Context& context, const std::string& path) {
  std::filesystem::path resolved(path);
  if (resolved.is_relative()) resolved = context.directory / resolved;
  return resolved.lexically_normal().string();
}

// A weights file named in the config: a name (`vgg19`, `random`) stays, for the planner to resolve;
// a path becomes absolute and must exist.
std::string weights_file(const Context& context, const YAML::Node& value, const std::string& key_path) {
  if (!value.IsScalar()) throw config_error(context.file, value.Mark(), key_path, "expected `vgg19`, `random` or a weights file");
  if (is_weights_name(value.Scalar())) return value.Scalar();
  const std::string path = resolve_path(context, value.Scalar());
  // A name the file system refuses (too long) is no file either, not an exception.
  if (std::error_code error; !std::filesystem::is_regular_file(path, error)) {
    throw config_error(context.file, value.Mark(), key_path, path + ": no such weights file");
  }
  return path;
}

// `weights`: one file for every job (`vgg19` by default), or names for files that jobs, axes
// included, choose by name; `yardstick_weights`: the one network every job's metrics use (the
// top-level file by default, else `vgg19`).
void load_weights(const YAML::Node& root, const Context& context, SweepConfig& config) {
  config.weights = kDefaultWeightsName;
  if (root["weights"] && root["weights"].IsScalar()) {
    config.weights = weights_file(context, root["weights"], "weights");
  } else if (root["weights"]) {
    for (const Entry& entry : entries(root["weights"], context, "weights")) {
      if (is_weights_name(entry.key)) {
        throw config_error(context.file, entry.key_mark, "weights." + entry.key,
                           "`" + entry.key + "` names " +
                               (entry.key == kRandomWeightsName ? "the seed-0 random weights" : "the pretrained VGG-19") +
                               " already");
      }
      config.images.weights[entry.key] = weights_file(context, entry.value, "weights." + entry.key);
    }
  }
  config.yardstick_weights = config.weights;
  if (const YAML::Node yardstick = root["yardstick_weights"]) {
    const auto named = config.images.weights.find(yardstick.Scalar());
    config.yardstick_weights = named != config.images.weights.end()
                                   ? named->second
                                   : weights_file(context, yardstick, "yardstick_weights");
  }
}

// Names become file, directory and HDF5 names: no separators, no "..", no control characters.
void check_name(const Context& context, const std::string& name, const YAML::Mark& mark,
                const std::string& key_path, const char* what) {
  const bool safe_characters = std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
  if (name.empty() || name.size() > kMaxNameLength || !safe_characters || name[0] == '.') {
    throw config_error(context.file, mark, key_path,
                       fmt::format("{} use letters, digits, '_', '-' and '.' (not first), "
                                   "at most {} characters; got '{}'",
                                   what, kMaxNameLength, name));
  }
}

std::map<std::string, std::string> load_image_section(const YAML::Node& section,
                                                      const Context& context,
                                                      const std::string& key_path) {
  std::map<std::string, std::string> table;
  for (const Entry& entry : entries(section, context, key_path)) {
    const std::string path_key = key_path + "." + entry.key;
    check_name(context, entry.key, entry.key_mark, path_key, "image names");
    if (!entry.value.IsScalar()) {
      throw config_error(context.file, entry.value.Mark(), path_key, "expected an image path");
    }
    const std::string path = resolve_path(context, entry.value.Scalar());
    try {
      // Decoded in full once, so a truncated file fails now, not in every job.
      const Image image = read_image(path);
      if (key_path == "images.masks") mask_colors(image, path);  // at most kMaxRegions regions
    } catch (const Error& error) {
      throw config_error(context.file, entry.value.Mark(), path_key, error.what());
    }
    table[entry.key] = path;
  }
  if (table.empty()) {
    throw config_error(context.file, section.Mark(), key_path, "declare at least one image");
  }
  return table;
}

// Clips are checked for existence here; their frames are read when the sweep is planned.
void load_video_section(const YAML::Node& section, const Context& context, ImageTable& images) {
  for (const Entry& entry : entries(section, context, "images.videos")) {
    const std::string path_key = "images.videos." + entry.key;
    check_name(context, entry.key, entry.key_mark, path_key, "clip names");
    if (!entry.value.IsScalar()) {
      throw config_error(context.file, entry.value.Mark(), path_key, "expected a video file or a frame directory");
    }
    const std::string path = resolve_path(context, entry.value.Scalar());
    if (!std::filesystem::exists(path)) {
      throw config_error(context.file, entry.value.Mark(), path_key, path + ": no such video file or frame directory");
    }
    images.videos[entry.key] = path;
    images.video_places[entry.key] = fmt::format("{}:{}:{}: {}", context.file, entry.value.Mark().line + 1,
                                                 entry.value.Mark().column + 1, path_key);
  }
}

void load_images(const YAML::Node& node, const Context& context, ImageTable& images) {
  if (!node) throw config_error(context.file, YAML::Mark::null_mark(), "images", "missing: declare content and style images");
  const std::vector<std::string> sections = {"content", "style", "masks", "videos"};
  for (const Entry& entry : entries(node, context, "images")) {
    if (std::find(sections.begin(), sections.end(), entry.key) == sections.end()) {
      throw config_error(context.file, entry.key_mark, "images." + entry.key,
                         "unknown key" + did_you_mean(entry.key, sections) +
                             "; expected content, style, (for spatial control) masks and (for video) videos");
    }
    if (entry.key == "videos") {
      load_video_section(entry.value, context, images);
      continue;
    }
    auto table = load_image_section(entry.value, context, "images." + entry.key);
    (entry.key == "content" ? images.content : entry.key == "style" ? images.style : images.masks) = table;
  }
  for (const char* section : {"content", "style"}) {
    if (section == std::string("content") && !images.videos.empty()) continue;
    if ((std::string(section) == "content" ? images.content : images.style).empty()) {
      throw config_error(context.file, node.Mark(), std::string("images.") + section,
                         "missing: declare at least one image");
    }
  }
}

// Each value is applied to a probe job now, so a bad value anywhere on an axis is reported when
// the config loads, whatever else the sweep would have failed on first.
std::vector<AxisSpec> load_axes(const YAML::Node& node, const Context& context,
                                const std::string& section, const ImageTable& images) {
  std::vector<AxisSpec> axes;
  if (!node) return axes;
  for (const Entry& entry : entries(node, context, section)) {
    const std::string key_path = section + "." + entry.key;
    if (!is_job_parameter(entry.key)) {
      throw config_error(context.file, entry.key_mark, key_path,
                         "unknown job parameter" + did_you_mean(entry.key, job_parameter_names()));
    }
    for (const AxisValue& value : axis_bounds(entry.value, context.file, key_path)) {
      StyleJob probe;
      apply_job_parameter(probe, entry.key, value.value, images, context.file, value.mark, key_path);
    }
    axes.push_back({entry.key, entry.value, key_path});
  }
  return axes;
}

void check_zip_lengths(const SweepConfig& config, const YAML::Node& zip_node) {
  if (config.zip.empty()) return;
  const std::uint64_t first = axis_length(config.zip.front().spec, config.path, config.zip.front().key_path);
  for (const AxisSpec& axis : config.zip) {
    const std::uint64_t length = axis_length(axis.spec, config.path, axis.key_path);
    if (length != first) {
      throw config_error(config.path, zip_node.Mark(), "zip",
                         fmt::format("axes must have equal lengths: {} has {} values, {} has {}",
                                     config.zip.front().key, first, axis.key, length));
    }
  }
}

void check_overlaps(const SweepConfig& config) {
  std::set<std::string> grid_keys;
  for (const AxisSpec& axis : config.grid) grid_keys.insert(axis.key);
  for (const AxisSpec& axis : config.zip) {
    if (grid_keys.count(axis.key)) {
      throw config_error(config.path, axis.spec.Mark(), axis.key_path,
                         "also a grid axis; an axis belongs to grid or zip, not both");
    }
  }
}

// The video parameters act on video jobs only: one given in a sweep without `video` is a mistake.
void check_video_parameters(const SweepConfig& config) {
  const std::vector<std::string> video_only = {"frame_start", "frame_count",  "frame_step",  "temporal_weight",
                                               "temporal_links", "video_init", "video_passes", "video_schedule"};
  struct Given {
    std::string key, key_path;
    YAML::Mark mark;
  };
  std::vector<Given> given;
  for (const auto& [key, value] : config.defaults) given.push_back({key, "defaults." + key, value.Mark()});
  for (const auto* axes : {&config.grid, &config.zip}) {
    for (const AxisSpec& axis : *axes) given.push_back({axis.key, axis.key_path, axis.spec.Mark()});
  }
  const bool has_video = std::any_of(given.begin(), given.end(), [](const Given& entry) { return entry.key == "video"; });
  if (has_video) return;
  for (const Given& entry : given) {
    if (std::find(video_only.begin(), video_only.end(), entry.key) != video_only.end()) {
      throw config_error(config.path, entry.mark, entry.key_path,
                         "applies to video jobs only; set `video` (a clip under images.videos) too");
    }
  }
}

SweepConfig parse_checked_config(const std::string& text, const std::string& path) {
  Context context{path, std::filesystem::path(path).parent_path()};
  if (context.directory.empty()) context.directory = ".";
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& error) {
    throw config_error(path, error.mark, "yaml", "syntax error: " + error.msg);
  }
  if (!root.IsMap()) throw config_error(path, root.Mark(), "config", "expected a mapping at the top level");

  SweepConfig config;
  config.path = path;
  config.text = text;
  config.name = safe_label(std::filesystem::path(path).stem().string());
  for (const Entry& entry : entries(root, context, "")) {
    if (std::find(kTopLevelKeys.begin(), kTopLevelKeys.end(), entry.key) == kTopLevelKeys.end()) {
      throw config_error(path, entry.key_mark, entry.key,
                         "unknown key" + did_you_mean(entry.key, kTopLevelKeys));
    }
    const bool text_key = entry.key == "name" || entry.key == "yardstick_weights" || entry.key == "output";
    if (text_key && !entry.value.IsScalar()) {
      throw config_error(path, entry.value.Mark(), entry.key, "expected a string");
    }
    if (entry.key == "weights" && !entry.value.IsScalar() && !entry.value.IsMap()) {
      throw config_error(path, entry.value.Mark(), entry.key,
                         "expected `vgg19`, `random`, a weights file, or a mapping of names to weights files");
    }
  }
  if (root["name"]) {
    config.name = root["name"].Scalar();
    check_name(context, config.name, root["name"].Mark(), "name", "sweep names");
  }
  load_weights(root, context, config);
  config.output = root["output"] ? resolve_path(context, root["output"].Scalar())
                                 : "results/" + config.name;
  load_images(root["images"], context, config.images);
  config.images.base_directory = context.directory.string();

  StyleJob probe;
  if (root["defaults"]) {
    for (const Entry& entry : entries(root["defaults"], context, "defaults")) {
      if (!is_job_parameter(entry.key)) {
        throw config_error(path, entry.key_mark, "defaults." + entry.key,
                           "unknown job parameter" + did_you_mean(entry.key, job_parameter_names()));
      }
      apply_job_parameter(probe, entry.key, entry.value, config.images, path, entry.value.Mark(),
                          "defaults." + entry.key);
      config.defaults.emplace_back(entry.key, entry.value);
    }
  }
  config.grid = load_axes(root["grid"], context, "grid", config.images);
  config.zip = load_axes(root["zip"], context, "zip", config.images);
  check_overlaps(config);
  check_zip_lengths(config, root["zip"]);
  check_video_parameters(config);
  return config;
}

}  // namespace

SweepConfig parse_sweep_config(const std::string& text, const std::string& path) {
  // Every shape of node is checked where it is read; this turns any yaml-cpp exception those
  // checks missed into the same kind of message instead of an unnamed failure.
  try {
    return parse_checked_config(text, path);
  } catch (const YAML::Exception& error) {
    throw config_error(path, error.mark, "yaml", error.msg);
  }
}

SweepConfig load_sweep_config(const std::string& path) {
  if (std::filesystem::is_directory(path)) throw file_error(path, "is a directory, expected a YAML config", ErrorKind::kBadInput);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw file_error(path, "cannot open config (no such file or permission denied)", ErrorKind::kBadInput);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_sweep_config(text, path);
}

}  // namespace stylesweep
