#include "cli/partition_fit.h"

#include <algorithm>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "common/error.h"

namespace stylesweep {
namespace {

// GPUs in a GRES field such as "gpu:4", "gpu:h100:8(S:0-1)" or "(null)".
int gpus_in(const std::string& gres) {
  int gpus = 0;
  const std::regex gpu("gpu(:[A-Za-z0-9_.-]+)?:([0-9]+)");
  for (std::sregex_iterator it(gres.begin(), gres.end(), gpu), end; it != end; ++it) {
    gpus += std::stoi((*it)[2].str());
  }
  return gpus;
}

}  // namespace

std::vector<NodeShape> parse_sinfo(const std::string& output, const std::string& partition) {
  std::vector<NodeShape> shapes;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> fields;
    std::istringstream parts(line);
    for (std::string field; std::getline(parts, field, '|');) fields.push_back(field);
    if (fields.size() < 4) continue;
    std::string name = fields[0];
    const bool is_default = !name.empty() && name.back() == '*';
    if (is_default) name.pop_back();
    if (partition.empty() ? !is_default : name != partition) continue;
    try {
      // "%c" may read "64+" when nodes of one line differ: the smallest is what every node has.
      shapes.push_back({std::stoi(fields[1]), gpus_in(fields[3]), std::stoi(fields[2])});
    } catch (const std::exception&) {
    }
  }
  return shapes;
}

std::optional<std::string> fit_to_partition(SbatchSettings& settings, const std::vector<NodeShape>& shapes) {
  if (shapes.empty()) return std::nullopt;
  const std::string partition = settings.partition.empty() ? "(default)" : settings.partition;
  // The largest nodes with enough GPUs: how many tasks of cpus_per_task each holds.
  std::vector<int> node_cpus;
  for (const NodeShape& shape : shapes) {
    if (shape.gpus < settings.gpus_per_node) continue;
    node_cpus.insert(node_cpus.end(), std::size_t(std::max(0, shape.count)), shape.cpus);
  }
  std::sort(node_cpus.rbegin(), node_cpus.rend());
  if (int(node_cpus.size()) < settings.nodes) {
    throw Error(fmt::format("partition {} has {} node(s) with at least {} GPU(s); the job asks for {}",
                            partition, node_cpus.size(), settings.gpus_per_node, settings.nodes),
                ErrorKind::kBadInput);
  }
  int tasks_fit = 0, cpus = 0;
  for (int n = 0; n < settings.nodes; ++n) {
    tasks_fit += node_cpus[std::size_t(n)] / settings.cpus_per_task;
    cpus += node_cpus[std::size_t(n)];
  }
  const int tasks = worker_count(settings) + 1;
  if (tasks <= tasks_fit) return std::nullopt;
  const std::string shape = fmt::format("its {} largest node(s) have {} CPUs, room for {} task(s) of {} CPU(s)",
                                        settings.nodes, cpus, tasks_fit, settings.cpus_per_task);
  if (settings.workers == 0 && tasks_fit >= 2) {
    settings.workers = tasks_fit - 1;
    return fmt::format("partition {}: {}; submitting {} worker(s) and the coordinator", partition, shape,
                       settings.workers);
  }
  throw Error(fmt::format("the job cannot fit partition {}: {} tasks (workers + coordinator) of {} CPU(s) "
                          "need {} CPUs, and {}; ask for fewer --workers or --cpus-per-task, or more --nodes",
                          partition, tasks, settings.cpus_per_task, tasks * settings.cpus_per_task, shape),
              ErrorKind::kBadInput);
}

}  // namespace stylesweep
