#include "job/job_fields.h"

#include <type_traits>

#include <fmt/format.h>

#include "common/text.h"

namespace stylesweep {

std::string exact(double value) { return fmt::format("{}", value); }

std::string exact_list(const std::vector<double>& values) {
  std::vector<std::string> parts;
  for (double value : values) parts.push_back(exact(value));
  return join(parts, ",");
}

std::string int_list(const std::vector<int>& values, const char* separator) {
  std::vector<std::string> parts;
  for (int value : values) parts.push_back(std::to_string(value));
  return join(parts, separator);
}

namespace {

// A field's record entry by its type: numbers as numbers, integers and flags as integers, lists
// as lists, choices as their names; an unset optional has none.
std::vector<RecordEntry> default_record(const StyleJob& job, const JobField& field) {
  return std::visit(
      [&](auto member) -> std::vector<RecordEntry> {
        const auto& value = job.*member;
        using Value = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<Value, std::vector<int>>) {
          return {{field.name, std::vector<std::int64_t>(value.begin(), value.end())}};
        } else if constexpr (std::is_same_v<Value, int> || std::is_same_v<Value, std::uint64_t> ||
                             std::is_same_v<Value, bool>) {
          return {{field.name, std::int64_t(value)}};
        } else if constexpr (has_text_form_v<Value>) {
          return {{field.name, to_text(value)}};
        } else if constexpr (std::is_same_v<Value, std::optional<double>>) {
          if (!value) return {};
          return {{field.name, *value}};
        } else {
          return {{field.name, value}};
        }
      },
      field.member);
}

}  // namespace

std::vector<RecordEntry> job_record(const StyleJob& job) {
  std::vector<RecordEntry> record;
  for (const JobField& field : job_fields()) {
    std::vector<RecordEntry> entries = field.record ? field.record(job) : default_record(job, field);
    for (auto& entry : entries) {
      if (entry.name.empty()) entry.name = field.name;
      record.push_back(std::move(entry));
    }
  }
  return record;
}

const JobField* find_job_field(const std::string& name) {
  for (const JobField& field : job_fields()) {
    if (name == field.name) return &field;
  }
  return nullptr;
}

bool same_value(const StyleJob& a, const StyleJob& b, const JobField& field) {
  return std::visit([&](auto member) { return a.*member == b.*member; }, field.member);
}

bool agree_on(const StyleJob& a, const StyleJob& b, bool JobField::*flag) {
  for (const JobField& field : job_fields()) {
    if (field.*flag && !same_value(a, b, field)) return false;
  }
  return true;
}

std::string key_of(const StyleJob& job, bool JobField::*flag) {
  std::string key;
  for (const JobField& field : job_fields()) {
    if (field.*flag) key.append(exact_text(job, field)).append(1, '|');
  }
  return key;
}

std::string content_target_key(const StyleJob& job) {
  return "content|" + job.content + "|" + key_of(job, &JobField::shapes_content_targets);
}

std::string style_target_key(const StyleJob& job, const std::string& style_path) {
  return "style|" + style_path + "|" + key_of(job, &JobField::shapes_style_targets);
}

std::string exact_text(const StyleJob& job, const JobField& field) {
  return std::visit(
      [&job](auto member) -> std::string {
        const auto& value = job.*member;
        using Value = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<Value, std::string>) return value;
        else if constexpr (has_text_form_v<Value>) return to_text(value);
        else if constexpr (std::is_same_v<Value, std::vector<std::string>>) return join(value, ",");
        else if constexpr (std::is_same_v<Value, double>) return exact(value);
        else if constexpr (std::is_same_v<Value, std::optional<double>>) return value ? exact(*value) : "";
        else if constexpr (std::is_same_v<Value, std::vector<double>>) return exact_list(value);
        else if constexpr (std::is_same_v<Value, std::vector<int>>) return int_list(value, ",");
        else if constexpr (std::is_same_v<Value, bool>) return value ? "true" : "false";
        else return std::to_string(value);  // int, std::uint64_t
      },
      field.member);
}

}  // namespace stylesweep
