#include "sweep/axis.h"

#include <cmath>

#include <fmt/format.h>

#include "sweep/config_error.h"

namespace stylesweep {

ConfigError config_error(const std::string& file, const YAML::Mark& mark,
                         const std::string& key_path, const std::string& reason) {
  if (mark.is_null() || mark.line < 0) {
    return ConfigError(fmt::format("{}: {}: {}", file, key_path, reason));
  }
  return ConfigError(fmt::format("{}:{}:{}: {}: {}", file, mark.line + 1, mark.column + 1,
                                 key_path, reason));
}

namespace {

constexpr std::uint64_t kMaxAxisLength = 1'000'000;

struct Generator {
  std::string kind;      // logspace | linspace | range | repeat
  std::vector<double> arguments;
};

double number_at(const YAML::Node& node, const std::string& file, const std::string& key_path) {
  try {
    const double value = node.as<double>();
    if (!std::isfinite(value)) throw config_error(file, node.Mark(), key_path, "must be a finite number");
    return value;
  } catch (const YAML::BadConversion&) {
    throw config_error(file, node.Mark(), key_path,
                       "expected a number, got '" + YAML::Dump(node) + "'");
  }
}

Generator parse_generator(const YAML::Node& spec, const std::string& file,
                          const std::string& key_path) {
  if (spec.size() != 1) {
    throw config_error(file, spec.Mark(), key_path,
                       "expected a list of values or one of {logspace|linspace|range|repeat: ...}");
  }
  Generator generator;
  const auto entry = *spec.begin();
  if (!entry.first.IsScalar()) {
    throw config_error(file, entry.first.Mark(), key_path,
                       "expected a generator name (logspace, linspace, range or repeat)");
  }
  generator.kind = entry.first.Scalar();
  const YAML::Node& arguments = entry.second;
  const std::string path = key_path + "." + generator.kind;
  if (generator.kind == "repeat") {
    generator.arguments = {number_at(arguments, file, path)};
  } else if (generator.kind == "logspace" || generator.kind == "linspace" ||
             generator.kind == "range") {
    if (!arguments.IsSequence() || arguments.size() != 3) {
      throw config_error(file, arguments.Mark(), path,
                         generator.kind == "range" ? "expected [start, stop, step]"
                                                   : "expected [first, last, count]");
    }
    for (std::size_t i = 0; i < 3; ++i) {
      generator.arguments.push_back(number_at(arguments[i], file, path));
    }
  } else {
    throw config_error(file, entry.first.Mark(), key_path,
                       "unknown generator '" + generator.kind +
                           "' (expected logspace, linspace, range or repeat)");
  }
  return generator;
}

std::uint64_t generator_length(const Generator& generator, const YAML::Node& spec,
                               const std::string& file, const std::string& key_path) {
  const auto& a = generator.arguments;
  double count = 0;
  if (generator.kind == "repeat") {
    count = a[0];
  } else if (generator.kind == "range") {
    if (a[2] == 0) throw config_error(file, spec.Mark(), key_path, "range step must not be 0");
    count = std::max(0.0, std::ceil((a[1] - a[0]) / a[2] - 1e-9));
  } else {
    count = a[2];
    if (generator.kind == "logspace" && (a[0] <= 0 || a[1] <= 0)) {
      throw config_error(file, spec.Mark(), key_path, "logspace bounds must be > 0");
    }
  }
  if (count != std::floor(count) || count < 1) {
    throw config_error(file, spec.Mark(), key_path,
                       fmt::format("{} gives no values (count {})", generator.kind, count));
  }
  if (count > double(kMaxAxisLength)) {
    throw config_error(file, spec.Mark(), key_path,
                       fmt::format("{} values on one axis is more than {}", count, kMaxAxisLength));
  }
  return std::uint64_t(count);
}

}  // namespace

std::uint64_t axis_length(const YAML::Node& spec, const std::string& file,
                          const std::string& key_path) {
  if (spec.IsSequence()) {
    if (spec.size() == 0) throw config_error(file, spec.Mark(), key_path, "empty axis: give at least one value");
    return spec.size();
  }
  if (spec.IsMap()) {
    return generator_length(parse_generator(spec, file, key_path), spec, file, key_path);
  }
  throw config_error(file, spec.Mark(), key_path,
                     "expected a list of values or one of {logspace|linspace|range|repeat: ...}");
}

namespace {

AxisValue generated_value(const Generator& generator, std::uint64_t count, std::uint64_t index,
                          const YAML::Mark& mark) {
  const auto& a = generator.arguments;
  double value = 0;
  if (generator.kind == "repeat") {
    value = double(index);
  } else if (generator.kind == "range") {
    value = a[0] + double(index) * a[2];
  } else {
    const double t = count == 1 ? 0.0 : double(index) / double(count - 1);
    value = generator.kind == "linspace"
                ? a[0] + t * (a[1] - a[0])
                : std::pow(10.0, std::log10(a[0]) + t * (std::log10(a[1]) - std::log10(a[0])));
    // Round to 12 significant digits so 1e-5 .. 1e-2 gives 1e-4 exactly, not 9.999999999e-05.
    value = std::stod(fmt::format("{:.12g}", value));
  }
  return {YAML::Node(fmt::format("{}", value)), mark};
}

}  // namespace

std::vector<AxisValue> axis_values(const YAML::Node& spec, const std::string& file,
                                   const std::string& key_path) {
  const std::uint64_t count = axis_length(spec, file, key_path);
  std::vector<AxisValue> values;
  if (spec.IsSequence()) {
    for (const auto& value : spec) values.push_back({value, value.Mark()});
    return values;
  }
  const Generator generator = parse_generator(spec, file, key_path);
  for (std::uint64_t i = 0; i < count; ++i) {
    values.push_back(generated_value(generator, count, i, spec.Mark()));
  }
  return values;
}

std::vector<AxisValue> axis_bounds(const YAML::Node& spec, const std::string& file,
                                   const std::string& key_path) {
  if (spec.IsSequence()) return axis_values(spec, file, key_path);
  const std::uint64_t count = axis_length(spec, file, key_path);
  const Generator generator = parse_generator(spec, file, key_path);
  return {generated_value(generator, count, 0, spec.Mark()),
          generated_value(generator, count, count - 1, spec.Mark())};
}

}  // namespace stylesweep
