#include "sweep/parameters.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "common/text.h"
#include "sweep/config_error.h"

namespace stylesweep {

const std::vector<std::string>& job_parameter_names() {
  static const std::vector<std::string> names = {
      "content", "style", "blend", "alpha", "beta", "ratio", "content_layers", "style_layers",
      "style_layer_weights", "optimizer", "lr", "iterations", "size", "seed", "init", "pooling",
      "tv_weight", "style_scale", "scales", "scale_iterations", "preserve_colors"};
  return names;
}

bool is_job_parameter(const std::string& key) {
  const auto& names = job_parameter_names();
  return std::find(names.begin(), names.end(), key) != names.end();
}

namespace {

// Reads one typed value; a YAML conversion failure becomes a ConfigError with the position.
struct Reader {
  const YAML::Node& value;
  const std::string& file;
  const YAML::Mark& mark;
  const std::string& key_path;

  [[noreturn]] void fail(const std::string& reason) const {
    throw config_error(file, mark, key_path, reason);
  }
  std::string shown() const { return value.IsScalar() ? value.Scalar() : YAML::Dump(value); }

  std::string text() const {
    if (!value.IsScalar()) fail("expected a string, got '" + shown() + "'");
    return value.Scalar();
  }
  double number() const {
    if (!value.IsScalar()) fail("expected a number, got '" + shown() + "'");
    try {
      return value.as<double>();
    } catch (const YAML::BadConversion&) {
      fail("expected a number, got '" + shown() + "'");
    }
  }
  long long integer() const {
    const double number_value = number();
    if (number_value != std::floor(number_value) || std::abs(number_value) > 9e15) {
      fail("expected an integer, got '" + shown() + "'");
    }
    return static_cast<long long>(number_value);
  }
  bool boolean() const {
    try {
      return value.as<bool>();
    } catch (const YAML::BadConversion&) {
      fail("expected true or false, got '" + shown() + "'");
    }
  }
  std::vector<std::string> texts() const {
    if (!value.IsSequence()) fail("expected a list, got '" + shown() + "'");
    std::vector<std::string> result;
    for (const auto& item : value) {
      if (!item.IsScalar()) fail("expected a list of strings, got '" + shown() + "'");
      result.push_back(item.Scalar());
    }
    return result;
  }
  std::vector<double> numbers() const {
    if (!value.IsSequence()) fail("expected a list of numbers, got '" + shown() + "'");
    std::vector<double> result;
    for (const auto& item : value) result.push_back(Reader{item, file, mark, key_path}.number());
    return result;
  }
};

std::string image_path(const Reader& reader, const std::map<std::string, std::string>& table,
                       const std::string& section, const std::string& name) {
  auto found = table.find(name);
  if (found == table.end()) {
    std::vector<std::string> names;
    for (const auto& entry : table) names.push_back(entry.first);
    reader.fail("unknown " + section + " image '" + name + "'" + did_you_mean(name, names) +
                "; declare it under images." + section);
  }
  return found->second;
}

void apply_images(StyleJob& job, const std::string& key, const Reader& reader,
                  const ImageTable& images) {
  if (key == "content") {
    job.content_name = reader.text();
    job.content = image_path(reader, images.content, "content", job.content_name);
    return;
  }
  std::vector<std::string> names =
      reader.value.IsSequence() ? reader.texts() : std::vector<std::string>{reader.text()};
  if (names.empty()) reader.fail("give at least one style image name");
  job.styles.clear();
  for (const auto& name : names) job.styles.push_back(image_path(reader, images.style, "style", name));
  job.style_name = join(names, "+");
}

void apply_value(StyleJob& job, const std::string& key, const Reader& reader,
                 const ImageTable& images) {
  if (key == "content" || key == "style") return apply_images(job, key, reader, images);
  if (key == "blend") job.style_blend = reader.numbers();
  else if (key == "alpha") job.alpha = reader.number();
  else if (key == "beta") job.beta = reader.number();
  else if (key == "ratio") job.ratio = reader.number();
  else if (key == "content_layers") job.content_layers = reader.texts();
  else if (key == "style_layers") job.style_layers = reader.texts();
  else if (key == "style_layer_weights") job.style_layer_weights = reader.numbers();
  else if (key == "optimizer") job.optimizer = reader.text();
  else if (key == "lr") job.lr = reader.number();
  else if (key == "iterations") job.iterations = int(std::clamp(reader.integer(), -(1LL << 30), 1LL << 30));
  else if (key == "size") job.size = int(std::clamp(reader.integer(), -(1LL << 30), 1LL << 30));
  else if (key == "seed") {
    const long long seed = reader.integer();
    if (seed < 0) reader.fail("seed must be >= 0, got " + reader.shown());
    job.seed = std::uint64_t(seed);
  } else if (key == "init") {
    job.init = reader.text();
    if (!is_init_keyword(job.init)) {
      std::filesystem::path path(job.init);
      if (path.is_relative()) path = std::filesystem::path(images.base_directory) / path;
      job.init = path.lexically_normal().string();
    }
  } else if (key == "pooling") job.pooling = reader.text();
  else if (key == "tv_weight") job.tv_weight = reader.number();
  else if (key == "style_scale") job.style_scale = reader.number();
  else if (key == "scales") {
    job.scales.clear();
    for (double scale : reader.numbers()) {
      if (scale != std::floor(scale) || scale < 0 || scale > 8192) {
        reader.fail("expected a list of sizes in pixels, got '" + reader.shown() + "'");
      }
      job.scales.push_back(int(scale));
    }
  } else if (key == "scale_iterations") {
    job.scale_iterations = int(std::clamp(reader.integer(), -(1LL << 30), 1LL << 30));
  } else if (key == "preserve_colors") job.preserve_colors = reader.boolean();
  else reader.fail("unknown job parameter '" + key + "'" + did_you_mean(key, job_parameter_names()));
}

// The engine's own range check for this parameter; its message starts with the parameter name,
// which the key path already gives.
void check_range(const StyleJob& job, const std::string& key, const Reader& reader) {
  try {
    job.validate_parameter(key);
  } catch (const Error& error) {
    const std::string message = error.what();
    const std::string prefix = key + ": ";
    reader.fail(message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message);
  }
}

}  // namespace

void apply_job_parameter(StyleJob& job, const std::string& key, const YAML::Node& value,
                         const ImageTable& images, const std::string& file,
                         const YAML::Mark& mark, const std::string& key_path) {
  const Reader reader{value, file, mark, key_path};
  apply_value(job, key, reader, images);
  check_range(job, key, reader);
}

std::string parameter_text(const YAML::Node& value) {
  if (value.IsSequence()) {
    std::vector<std::string> parts;
    for (const auto& item : value) parts.push_back(parameter_text(item));
    return join(parts, "+");
  }
  if (!value.IsScalar()) return YAML::Dump(value);
  const std::string& text = value.Scalar();
  try {
    std::size_t used = 0;
    const double number = std::stod(text, &used);
    if (used == text.size()) return value_text(number);
  } catch (const std::exception&) {
  }
  return text;
}

}  // namespace stylesweep
