#pragma once
// Fits a submission to the partition's nodes (`sinfo`), so that a request no node can ever hold
// is refused at once instead of pending forever.

#include <optional>
#include <string>
#include <vector>

#include "cli/sbatch_script.h"

namespace stylesweep {

// Nodes of one shape in a partition: `count` nodes of `cpus` CPUs and `gpus` GPUs.
struct NodeShape {
  int cpus = 0;
  int gpus = 0;
  int count = 0;
};

// The node shapes of `partition` (empty: the default one, marked '*') from the output of
// `sinfo -h -o "%P|%c|%D|%G"`; empty when the partition is not listed.
std::vector<NodeShape> parse_sinfo(const std::string& output, const std::string& partition);

// Checks what the script will ask (worker_count + 1 tasks of cpus_per_task CPUs over `nodes`
// nodes with gpus_per_node GPUs each) against the partition. When the worker count was left to
// its default it is lowered to what fits, and the returned note says so; a request that cannot
// fit throws Error (bad input) with the numbers. Nothing happens without shapes.
std::optional<std::string> fit_to_partition(SbatchSettings& settings, const std::vector<NodeShape>& shapes);

}  // namespace stylesweep
