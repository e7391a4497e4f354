#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "common/error.h"
#include "common/process.h"
#include "common/text.h"
#include "sweep/config.h"
#include "job/memory_estimate.h"
#include "sweep/expand.h"
#include "vgg/weights_names.h"

namespace stylesweep {
namespace {

struct PlanArguments {
  std::string config;
  std::string format = "table";
  std::uint64_t max_jobs = kDefaultMaxJobs;
};

std::string json_string(const std::string& text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      quoted += fmt::format("\\u{:04x}", int(c));
      continue;
    }
    quoted += c;
  }
  return quoted + "\"";
}

// Frame jobs wait for the jobs they depend on; a plan without any shows no such column.
bool has_dependencies(const SweepPlan& plan) {
  return std::any_of(plan.jobs.begin(), plan.jobs.end(),
                     [](const PlannedJob& job) { return !job.depends_on.empty(); });
}

std::string joined(const std::vector<std::string>& ids, const char* separator) {
  std::string text;
  for (const auto& id : ids) text += (text.empty() ? "" : separator) + id;
  return text;
}

void print_table(const SweepPlan& plan, std::ostream& out) {
  // Column widths from the contents, so long layer lists stay aligned.
  const bool dependencies = has_dependencies(plan);
  std::vector<std::string> headers = {"#", "id", "label"};
  headers.insert(headers.end(), plan.varying_keys.begin(), plan.varying_keys.end());
  if (dependencies) headers.push_back("after");
  headers.push_back("GFLOP");
  std::vector<std::vector<std::string>> rows;
  for (std::size_t i = 0; i < plan.jobs.size(); ++i) {
    const PlannedJob& job = plan.jobs[i];
    std::vector<std::string> row = {std::to_string(i + 1), job.id, job.label};
    row.insert(row.end(), job.varying_values.begin(), job.varying_values.end());
    if (dependencies) row.push_back(job.depends_on.empty() ? "-" : joined(job.depends_on, ","));
    row.push_back(fmt::format("{:.1f}", job.flops / 1e9));
    rows.push_back(std::move(row));
  }
  std::vector<std::size_t> widths(headers.size());
  for (std::size_t c = 0; c < headers.size(); ++c) {
    widths[c] = headers[c].size();
    for (const auto& row : rows) widths[c] = std::max(widths[c], row[c].size());
  }
  auto print_row = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const bool right = c == 0 || c + 1 == cells.size();
      line += (c ? "  " : "") + (right ? fmt::format("{:>{}}", cells[c], widths[c])
                                       : fmt::format("{:<{}}", cells[c], widths[c]));
    }
    out << line << "\n";
  };
  print_row(headers);
  for (const auto& row : rows) print_row(row);
}

void print_csv(const SweepPlan& plan, std::ostream& out) {
  const bool dependencies = has_dependencies(plan);
  out << "index,id,label";
  for (const auto& key : plan.varying_keys) out << "," << csv_field(key);
  out << (dependencies ? ",depends_on,gflop\n" : ",gflop\n");
  for (std::size_t i = 0; i < plan.jobs.size(); ++i) {
    const PlannedJob& job = plan.jobs[i];
    out << i + 1 << "," << job.id << "," << csv_field(job.label);
    for (const auto& value : job.varying_values) out << "," << csv_field(value);
    if (dependencies) out << "," << joined(job.depends_on, " ");
    out << fmt::format(",{:.3f}\n", job.flops / 1e9);
  }
}

void print_json(const SweepPlan& plan, std::ostream& out) {
  out << "{\"jobs\": [";
  for (std::size_t i = 0; i < plan.jobs.size(); ++i) {
    const PlannedJob& job = plan.jobs[i];
    out << (i ? ",\n  " : "\n  ") << "{\"index\": " << i + 1 << ", \"id\": " << json_string(job.id)
        << ", \"label\": " << json_string(job.label) << ", \"parameters\": {";
    for (std::size_t k = 0; k < plan.varying_keys.size(); ++k) {
      out << (k ? ", " : "") << json_string(plan.varying_keys[k]) << ": "
          << json_string(job.varying_values[k]);
    }
    out << "}, \"depends_on\": [";
    for (std::size_t k = 0; k < job.depends_on.size(); ++k) {
      out << (k ? ", " : "") << json_string(job.depends_on[k]);
    }
    out << fmt::format("], \"gflop\": {:.3f}, \"memory_bytes\": {}}}", job.flops / 1e9, job.memory_bytes);
  }
  out << fmt::format("\n], \"count\": {}, \"total_gflop\": {:.3f}, \"weights_sha256\": {}}}\n",
                     plan.jobs.size(), plan.total_flops / 1e9, json_string(plan.weights_sha256));
}

// From this many jobs on, planning runs with malloc on huge pages (reexecute_with_huge_pages):
// it saves more than restarting the process costs.
constexpr std::uint64_t kHugePagePlanJobs = 200000;

void run_plan(const PlanArguments& arguments) {
  const SweepConfig config = load_sweep_config(arguments.config);
  const std::uint64_t jobs = count_jobs(config);
  if (jobs >= kHugePagePlanJobs && jobs <= arguments.max_jobs) {
    reexecute_with_huge_pages();
  }
  const SweepPlan plan = expand_sweep(config, weights_file_for, arguments.max_jobs);
  if (arguments.format == "csv") return print_csv(plan, std::cout);
  if (arguments.format == "json") return print_json(plan, std::cout);
  print_table(plan, std::cout);
  std::cout << fmt::format(
      "{} jobs ({}), estimated {:.2f} TFLOP in all, {} peak memory for the largest job; "
      "output {}\n",
      plan.jobs.size(),
      plan.varying_keys.empty() ? std::string("nothing varies") : "varying " + fmt::format("{}", fmt::join(plan.varying_keys, ", ")),
      plan.total_flops / 1e12, format_bytes(plan.peak_memory_bytes), config.output);
}

}  // namespace

void add_plan_command(CLI::App& app) {
  auto arguments = std::make_shared<PlanArguments>();
  CLI::App* command = app.add_subcommand(
      "plan", "List every job of a sweep config (id, label, varying parameters, cost); runs nothing");
  command->footer("Examples:\n  stylesweep plan configs/demo.yaml\n  stylesweep plan configs/paper_fig3.yaml --format csv > jobs.csv");
  command->add_option("CONFIG", arguments->config, "Sweep config (YAML)")->required();
  command->add_option("--format", arguments->format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  command->add_option("--max-jobs", arguments->max_jobs,
                      "Refuse sweeps that expand to more jobs than this")->capture_default_str();
  command->callback([arguments] { run_plan(*arguments); });
}

}  // namespace stylesweep
