#include "runner/messages.h"

#include "runner/wire.h"

namespace stylesweep {
namespace {

void write_job(WireWriter& out, const StyleJob& job) {
  out.text(job.content);
  out.texts(job.styles);
  out.numbers(job.style_blend);
  out.text(job.content_name);
  out.text(job.style_name);
  out.number(job.alpha);
  out.number(job.beta);
  out.number<std::uint8_t>(job.ratio.has_value());
  out.number(job.ratio.value_or(0.0));
  out.texts(job.content_layers);
  out.texts(job.style_layers);
  out.numbers(job.style_layer_weights);
  out.text(job.optimizer);
  out.number(job.lr);
  out.number(job.iterations);
  out.number(job.size);
  out.number(job.seed);
  out.text(job.init);
  out.text(job.pooling);
  out.number(job.tv_weight);
  out.number(job.style_scale);
  out.numbers(job.scales);
  out.number(job.scale_iterations);
  out.number<std::uint8_t>(job.preserve_colors);
  out.number(job.checkpoint_every);
  out.text(job.checkpoint_path);
}

StyleJob read_job(WireReader& in) {
  StyleJob job;
  job.content = in.text();
  job.styles = in.texts();
  job.style_blend = in.numbers<double>();
  job.content_name = in.text();
  job.style_name = in.text();
  job.alpha = in.number<double>();
  job.beta = in.number<double>();
  const bool has_ratio = in.number<std::uint8_t>() != 0;
  const double ratio = in.number<double>();
  if (has_ratio) job.ratio = ratio;
  job.content_layers = in.texts();
  job.style_layers = in.texts();
  job.style_layer_weights = in.numbers<double>();
  job.optimizer = in.text();
  job.lr = in.number<double>();
  job.iterations = in.number<int>();
  job.size = in.number<int>();
  job.seed = in.number<std::uint64_t>();
  job.init = in.text();
  job.pooling = in.text();
  job.tv_weight = in.number<double>();
  job.style_scale = in.number<double>();
  job.scales = in.numbers<int>();
  job.scale_iterations = in.number<int>();
  job.preserve_colors = in.number<std::uint8_t>() != 0;
  job.checkpoint_every = in.number<int>();
  job.checkpoint_path = in.text();
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
  const auto files = in.number<std::uint64_t>();
  for (std::uint64_t i = 0; i < files; ++i) {
    ShippedFile file;
    file.path = in.text();
    file.bytes = in.text();
    item.files.push_back(std::move(file));
  }
  return item;
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
  out.texts(history.style_layer_names);
  std::vector<double> flat;
  for (const auto& row : history.style_layers) flat.insert(flat.end(), row.begin(), row.end());
  out.numbers(flat);
  out.numbers(history.stage_starts);
  out.number(result.evaluations);
  out.number(result.result_evaluation);
  out.number(result.wall_seconds);
  out.number(result.optimize_seconds);
  out.text(result.device);
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
  history.style_layer_names = in.texts();
  const std::vector<double> flat = in.numbers<double>();
  const std::size_t layers = history.style_layer_names.size();
  for (std::size_t row = 0; layers > 0 && (row + 1) * layers <= flat.size(); ++row) {
    history.style_layers.emplace_back(flat.begin() + long(row * layers),
                                      flat.begin() + long((row + 1) * layers));
  }
  history.stage_starts = in.numbers<int>();
  result.evaluations = in.number<int>();
  result.result_evaluation = in.number<int>();
  result.wall_seconds = in.number<double>();
  result.optimize_seconds = in.number<double>();
  result.device = in.text();
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
