// Adam jobs that can share a batch (can_share_batch) run as one: a single forward and backward
// pass per step for all of them, each job's loss seeing only its own slice of the activations, so
// each result equals the job run alone (bit-identical on CPU). A job whose loss diverges fails
// alone; the others go on.
#pragma once

#include <vector>

#include "engine/job_events.h"
#include "engine/job_targets.h"

namespace stylesweep {

class Yardstick;

// Runs `jobs` (all sharing `prepared`, the first job's preparation) to their last step, then
// measures each finished result with `yardstick`.
std::vector<BatchOutcome> run_adam_batch(const std::vector<StyleJob>& jobs, const PreparedJob& prepared,
                                         const NetworkCache& networks, Yardstick& yardstick,
                                         const std::string& device);

}  // namespace stylesweep
