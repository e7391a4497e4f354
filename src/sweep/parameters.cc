#include "sweep/parameters.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <type_traits>
#include <variant>

#include <fmt/format.h>

#include "common/text.h"
#include "job/job_fields.h"
#include "sweep/config_error.h"
#include "vgg/weights_names.h"

namespace stylesweep {

const std::vector<std::string>& job_parameter_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> all;
    for (const JobField& field : job_fields()) all.push_back(field.name);
    return all;
  }();
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
    const std::string what = section == "masks" ? "mask" : section == "videos" ? "video clip" : section + " image";
    reader.fail("unknown " + what + " '" + name + "'" + did_you_mean(name, names) + "; declare it under images." +
                section);
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

// Mask names become paths; `all` in style_masks stands for a whole style image.
void apply_masks(StyleJob& job, const std::string& key, const Reader& reader, const ImageTable& images) {
  if (key == "content_mask") {
    job.content_mask = image_path(reader, images.masks, "masks", reader.text());
    return;
  }
  job.style_masks.clear();
  for (const auto& name : reader.texts()) {
    job.style_masks.push_back(name == kWholeImageMask ? name : image_path(reader, images.masks, "masks", name));
  }
}

// `vgg19`, `random`, a name under the top-level `weights` map, or a file (relative to the config).
std::string weights_spec(const Reader& reader, const ImageTable& images) {
  const std::string text = reader.text();
  if (is_weights_name(text)) return text;
  if (auto named = images.weights.find(text); named != images.weights.end()) return named->second;
  std::filesystem::path path(text);
  if (path.is_relative()) path = std::filesystem::path(images.base_directory) / path;
  // A name the file system refuses (too long) is no file either, not an exception.
  if (std::error_code error; !std::filesystem::is_regular_file(path, error)) {
    std::vector<std::string> names = {kPretrainedWeightsName, kRandomWeightsName};
    for (const auto& entry : images.weights) names.push_back(entry.first);
    reader.fail("'" + text + "' is neither a weights file nor a name under `weights` (" + join(names, ", ") + ")" +
                did_you_mean(text, names));
  }
  return path.lexically_normal().string();
}

// An integer parameter, clamped so that an absurd value still reaches the range check as one.
int clamped_integer(const Reader& reader) { return int(std::clamp(reader.integer(), -(1LL << 30), 1LL << 30)); }

// A choice (optimizer, pooling, init) from its text.
template <typename Value>
Value parsed_text(const Reader& reader) {
  const std::string text = reader.text();
  std::optional<Value> value = from_text<Value>(text);
  if (!value) reader.fail(invalid_text_reason<Value>(text));
  return *value;
}

// A field's value by its type; images and `init` resolve names and paths first.
void apply_value(StyleJob& job, const std::string& key, const Reader& reader, const ImageTable& images) {
  if (key == "content" || key == "style") return apply_images(job, key, reader, images);
  if (key == "content_mask" || key == "style_masks") return apply_masks(job, key, reader, images);
  if (key == "weights") {
    job.weights = weights_spec(reader, images);
    return;
  }
  if (key == "video") {
    job.video = reader.text();
    image_path(reader, images.videos, "videos", job.video);  // a declared clip
    return;
  }
  const JobField* field = find_job_field(key);
  if (!field) reader.fail("unknown job parameter '" + key + "'" + did_you_mean(key, job_parameter_names()));
  if (field->planner_sets) {
    reader.fail(key + " is set by the planner for each frame job; choose frames with frame_start, frame_count "
                "and frame_step");
  }
  std::visit(
      [&](auto member) {
        auto& value = job.*member;
        using Value = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<Value, std::string>) value = reader.text();
        else if constexpr (has_text_form_v<Value>) value = parsed_text<Value>(reader);
        else if constexpr (std::is_same_v<Value, std::vector<std::string>>) value = reader.texts();
        else if constexpr (std::is_same_v<Value, double> || std::is_same_v<Value, std::optional<double>>)
          value = reader.number();
        else if constexpr (std::is_same_v<Value, std::vector<double>>) value = reader.numbers();
        else if constexpr (std::is_same_v<Value, int>) value = clamped_integer(reader);
        else if constexpr (std::is_same_v<Value, bool>) value = reader.boolean();
        else if constexpr (std::is_same_v<Value, std::uint64_t>) {
          const long long number = reader.integer();
          if (number < 0) reader.fail(key + " must be >= 0, got " + reader.shown());
          value = std::uint64_t(number);
        } else {  // a list of sizes (scales)
          value.clear();
          for (double size : reader.numbers()) {
            if (size != std::floor(size) || size < 0 || size > 8192) {
              reader.fail("expected a list of sizes in pixels, got '" + reader.shown() + "'");
            }
            value.push_back(int(size));
          }
        }
      },
      field->member);
  if (key == "init" && job.init.kind == InitKind::kImage) {
    std::filesystem::path path(job.init.image);
    if (path.is_relative()) path = std::filesystem::path(images.base_directory) / path;
    job.init.image = path.lexically_normal().string();
  }
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
  const std::optional<double> number = parse_number(text);
  return number ? value_text(*number) : text;
}

}  // namespace stylesweep
