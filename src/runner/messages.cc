#include "runner/messages.h"

#include <type_traits>
#include <variant>

#include <fmt/format.h>

#include "common/error.h"
#include "job/job_fields.h"
#include "runner/wire.h"

namespace stylesweep {
namespace {

// A choice sent by another rank of this build: anything but a valid text is a broken message.
template <typename Value>
Value parsed_text(const std::string& text, const char* name) {
  std::optional<Value> value = from_text<Value>(text);
  if (!value) throw Error(fmt::format("malformed message: {} '{}' is not valid", name, text), ErrorKind::kInternal);
  return *value;
}

// Every parameter by its type (job/job_fields.h), then what is not a parameter.
void write_job(WireWriter& out, const StyleJob& job) {
  for (const JobField& field : job_fields()) {
    std::visit(
        [&](auto member) {
          const auto& value = job.*member;
          using Value = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<Value, std::string>) out.text(value);
          else if constexpr (has_text_form_v<Value>) out.text(to_text(value));
          else if constexpr (std::is_same_v<Value, std::vector<std::string>>) out.texts(value);
          else if constexpr (std::is_same_v<Value, std::vector<double>> || std::is_same_v<Value, std::vector<int>>)
            out.numbers(value);
          else if constexpr (std::is_same_v<Value, std::optional<double>>) {
            out.number<std::uint8_t>(value.has_value());
            out.number(value.value_or(0.0));
          } else if constexpr (std::is_same_v<Value, bool>) out.number<std::uint8_t>(value);
          else out.number(value);
        },
        field.member);
  }
  out.text(job.content_name);
  out.text(job.style_name);
  out.text(job.weights_file);
  out.text(job.weights_sha256);
  out.number(job.checkpoint_every);
  out.text(job.checkpoint_path);
  out.number<std::uint64_t>(job.frame_links.size());
  for (const FrameLink& link : job.frame_links) {
    out.number(link.offset);
    out.number<std::uint8_t>(link.temporal);
    out.text(link.frame);
    out.text(link.result);
    out.text(link.result_id);
  }
}

StyleJob read_job(WireReader& in) {
  StyleJob job;
  for (const JobField& field : job_fields()) {
    std::visit(
        [&](auto member) {
          auto& value = job.*member;
          using Value = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<Value, std::string>) value = in.text();
          else if constexpr (has_text_form_v<Value>) value = parsed_text<Value>(in.text(), field.name);
          else if constexpr (std::is_same_v<Value, std::vector<std::string>>) value = in.texts();
          else if constexpr (std::is_same_v<Value, std::vector<double>>) value = in.numbers<double>();
          else if constexpr (std::is_same_v<Value, std::vector<int>>) value = in.numbers<int>();
          else if constexpr (std::is_same_v<Value, std::optional<double>>) {
            const bool present = in.number<std::uint8_t>() != 0;
            const double number = in.number<double>();
            value = present ? std::optional<double>(number) : std::nullopt;
          } else if constexpr (std::is_same_v<Value, bool>) value = in.number<std::uint8_t>() != 0;
          else value = in.number<Value>();
        },
        field.member);
  }
  job.content_name = in.text();
  job.style_name = in.text();
  job.weights_file = in.text();
  job.weights_sha256 = in.text();
  job.checkpoint_every = in.number<int>();
  job.checkpoint_path = in.text();
  const auto links = in.number<std::uint64_t>();
  for (std::uint64_t k = 0; k < links; ++k) {
    FrameLink link;
    link.offset = in.number<int>();
    link.temporal = in.number<std::uint8_t>() != 0;
    link.frame = in.text();
    link.result = in.text();
    link.result_id = in.text();
    job.frame_links.push_back(std::move(link));
  }
  return job;
}

void write_worker(WireWriter& out, const WorkerInfo& info) {
  out.number(info.rank);
  out.text(info.host);
  out.text(info.device);
}

WorkerInfo read_worker(WireReader& in) {
  WorkerInfo info;
  info.rank = in.number<int>();
  info.host = in.text();
  info.device = in.text();
  return info;
}

}  // namespace

std::string encode(const WorkItem& item) {
  WireWriter out;
  write_job(out, item.job);
  out.text(item.id);
  out.text(item.label);
  out.number(item.attempt);
  out.text(item.checkpoint);
  out.texts(item.parameters);
  out.number<std::uint64_t>(item.files.size());
  for (const ShippedFile& file : item.files) {
    out.text(file.path);
    out.text(file.bytes);
  }
  return out.take();
}

WorkItem decode_work_item(const std::string& bytes) {
  WireReader in(bytes);
  WorkItem item;
  item.job = read_job(in);
  item.id = in.text();
  item.label = in.text();
  item.attempt = in.number<int>();
  item.checkpoint = in.text();
  item.parameters = in.texts();
  const auto files = in.number<std::uint64_t>();
  for (std::uint64_t i = 0; i < files; ++i) {
    ShippedFile file;
    file.path = in.text();
    file.bytes = in.text();
    item.files.push_back(std::move(file));
  }
  return item;
}

std::string encode(const std::vector<WorkItem>& items) {
  WireWriter out;
  out.number<std::uint64_t>(items.size());
  for (const WorkItem& item : items) out.text(encode(item));
  return out.take();
}

std::vector<WorkItem> decode_work_items(const std::string& bytes) {
  WireReader in(bytes);
  std::vector<WorkItem> items;
  for (auto count = in.number<std::uint64_t>(); count > 0; --count) items.push_back(decode_work_item(in.text()));
  return items;
}

std::string encode(const JobOutcome& outcome) {
  WireWriter out;
  out.text(outcome.id);
  out.number<std::uint8_t>(outcome.done);
  out.number<std::uint8_t>(outcome.interrupted);
  out.text(outcome.checkpoint);
  out.text(outcome.error);
  const JobResult& result = outcome.result;
  out.number(result.image.width);
  out.number(result.image.height);
  out.numbers(to_rgb8(result.image));
  const LossHistory& history = result.history;
  out.numbers(history.total);
  out.numbers(history.content);
  out.numbers(history.style);
  out.numbers(history.tv);
  out.numbers(history.temporal);
  out.texts(history.style_layer_names);
  std::vector<double> flat;
  for (const auto& row : history.style_layers) flat.insert(flat.end(), row.begin(), row.end());
  out.numbers(flat);
  out.numbers(history.stage_starts);
  out.numbers(history.snapshots.evaluations);
  out.number(history.snapshots.width);
  out.number(history.snapshots.height);
  out.numbers(history.snapshots.rgb);
  out.number(result.evaluations);
  out.number(result.result_evaluation);
  out.number(result.wall_seconds);
  out.number(result.optimize_seconds);
  out.text(result.device);
  out.text(choice_name(result.termination));
  for (double metric : {result.metrics.content, result.metrics.style, result.metrics.ssim, result.metrics.color}) {
    out.number(metric);
  }
  write_worker(out, outcome.worker);
  out.number(outcome.attempt);
  return out.take();
}

JobOutcome decode_job_outcome(const std::string& bytes) {
  WireReader in(bytes);
  JobOutcome outcome;
  outcome.id = in.text();
  outcome.done = in.number<std::uint8_t>() != 0;
  outcome.interrupted = in.number<std::uint8_t>() != 0;
  outcome.checkpoint = in.text();
  outcome.error = in.text();
  JobResult& result = outcome.result;
  const int width = in.number<int>();
  const int height = in.number<int>();
  const std::vector<std::uint8_t> rgb = in.numbers<std::uint8_t>();
  result.image = from_rgb8(rgb.data(), width, height);
  LossHistory& history = result.history;
  history.total = in.numbers<double>();
  history.content = in.numbers<double>();
  history.style = in.numbers<double>();
  history.tv = in.numbers<double>();
  history.temporal = in.numbers<double>();
  history.style_layer_names = in.texts();
  const std::vector<double> flat = in.numbers<double>();
  const std::size_t layers = history.style_layer_names.size();
  for (std::size_t row = 0; layers > 0 && (row + 1) * layers <= flat.size(); ++row) {
    history.style_layers.emplace_back(flat.begin() + long(row * layers),
                                      flat.begin() + long((row + 1) * layers));
  }
  history.stage_starts = in.numbers<int>();
  history.snapshots.evaluations = in.numbers<int>();
  history.snapshots.width = in.number<int>();
  history.snapshots.height = in.number<int>();
  history.snapshots.rgb = in.numbers<std::uint8_t>();
  result.evaluations = in.number<int>();
  result.result_evaluation = in.number<int>();
  result.wall_seconds = in.number<double>();
  result.optimize_seconds = in.number<double>();
  result.device = in.text();
  const std::string termination = in.text();
  const std::optional<Termination> parsed = parse_choice<Termination>(termination);
  if (!parsed) throw Error("malformed message: termination '" + termination + "'", ErrorKind::kInternal);
  result.termination = *parsed;
  for (double* metric : {&result.metrics.content, &result.metrics.style, &result.metrics.ssim, &result.metrics.color}) {
    *metric = in.number<double>();
  }
  outcome.worker = read_worker(in);
  outcome.attempt = in.number<int>();
  return outcome;
}

std::string encode(const WorkerInfo& info) {
  WireWriter out;
  write_worker(out, info);
  return out.take();
}

WorkerInfo decode_worker_info(const std::string& bytes) {
  WireReader in(bytes);
  return read_worker(in);
}

}  // namespace stylesweep
