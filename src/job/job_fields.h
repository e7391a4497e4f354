// Every job parameter, declared once (the table in job/job_field_table.cc): its name, where it
// lives in StyleJob, its documentation (docs/config.md's table, checked by a test), its range
// check, its line of the canonical id text, its entries in a job's record (the attributes the
// store writes), its label part, its `stylize` option and whether it has an /index column of its
// own. The sweep parser, validation, job ids, the store, the wire messages, labels and the
// stylize command walk this table; a new parameter is a new entry there and its use in the
// engine. Values only: how a record becomes HDF5 is the store's business (store/job_group.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "job/job_params.h"

namespace stylesweep {

// Where a field lives in StyleJob; the member's C++ type decides how the field is read from a
// config, sent between ranks and stored.
using FieldMember =
    std::variant<std::string StyleJob::*, std::vector<std::string> StyleJob::*, double StyleJob::*,
                 std::optional<double> StyleJob::*, std::vector<double> StyleJob::*, int StyleJob::*,
                 std::vector<int> StyleJob::*, std::uint64_t StyleJob::*, bool StyleJob::*,
                 Optimizer StyleJob::*, Pooling StyleJob::*, Precision StyleJob::*, ColorControl StyleJob::*,
                 StyleLoss StyleJob::*, Init StyleJob::*, VideoInit StyleJob::*,
                 VideoSchedule StyleJob::*>;

// How a value appears in a job's label when it varies.
enum class LabelStyle {
  kValue,       // as it reads (layers joined by '+', names)
  kPrefixed,    // prefix and value: s512, it100
  kScientific,  // prefix and scientific notation: r1e-03
  kSwitch,      // prefix / no<prefix>: colors / nocolors
  kScales,      // sc128+256, or single
  kInitImage,   // init-<keyword or file name>
};

// A value in a job's record: text, texts, a number, numbers, an integer (flags too) or integers.
using RecordValue = std::variant<std::string, std::vector<std::string>, double, std::vector<double>, std::int64_t,
                                 std::vector<std::int64_t>>;
struct RecordEntry {
  std::string name;
  RecordValue value;
};

struct JobField {
  const char* name;
  FieldMember member;
  // docs/config.md's row.
  const char* type_doc;
  const char* default_doc;
  const char* meaning;
  // The label part when the field varies.
  LabelStyle label_style = LabelStyle::kValue;
  const char* label_prefix = "";
  // The `stylize` option of a scalar field set directly ("" when the command has none, or
  // handles the field itself).
  const char* flag = "";
  const char* flag_help = "";
  // Throws Error "<name>: <reason>" for an out-of-range value; null when any value is fine.
  void (*check)(const StyleJob& job) = nullptr;
  // The value of the field's line in the canonical id text: null for the value as exact text;
  // nullopt for no line. `hash` names files by their content.
  std::optional<std::string> (*id_value)(const StyleJob& job, const FileHasher& hash) = nullptr;
  bool in_id = true;  // false: the id does not depend on it (it acts through other fields)
  // Its entries in the job's record: null for the value under the field's name, by its type (an
  // entry with an empty name takes the field's).
  std::vector<RecordEntry> (*record)(const StyleJob& job) = nullptr;
  // Whether /index (and /summary) has a column of the job's value, varying or not.
  bool index_column = false;
  // What the field shapes besides the result: the content features, the style Grams (jobs that
  // agree on these share targets), the cost estimate, and whether a batch's jobs must agree on it.
  bool shapes_content_targets = false;
  bool shapes_style_targets = false;
  bool shapes_cost = false;
  bool shapes_batch = false;
  // Set by the planner, never by a config (a frame job's frame and pass).
  bool planner_sets = false;
};

// The video fields (job/job_video_fields.cc), appended to the table by job_fields().
void add_video_fields(std::vector<JobField>& fields);

// In the order of the history attributes.
const std::vector<JobField>& job_fields();
// nullptr when `name` is not a job parameter.
const JobField* find_job_field(const std::string& name);

// Every field's record entries, in the table's order.
std::vector<RecordEntry> job_record(const StyleJob& job);

// Shortest text that reads back as the same double (ids must not depend on printing precision),
// numbers joined by ',', integers joined by `separator`.
std::string exact(double value);
std::string exact_list(const std::vector<double>& values);
std::string int_list(const std::vector<int>& values, const char* separator);

// The field's value as text for ids: shortest text that reads back as the same double, lists
// joined by ','.
std::string exact_text(const StyleJob& job, const JobField& field);
// Whether two jobs hold the same value of the field.
bool same_value(const StyleJob& a, const StyleJob& b, const JobField& field);
// Whether two jobs agree on every field with `flag` set (e.g. &JobField::shapes_cost).
bool agree_on(const StyleJob& a, const StyleJob& b, bool JobField::*flag);
// The values of every field with `flag` set, as exact text joined by '|': a key of what they shape.
std::string key_of(const StyleJob& job, bool JobField::*flag);
// What names a job's targets, so that jobs agreeing on it share them: the content image's features
// (the image and the fields that shape content targets) and one style image's Grams (the image
// and the fields that shape style targets). The scheduler's affinity and the engine's target
// cache both key on these, so a new field that shapes targets needs only its table entry.
std::string content_target_key(const StyleJob& job);
std::string style_target_key(const StyleJob& job, const std::string& style_path);

}  // namespace stylesweep
