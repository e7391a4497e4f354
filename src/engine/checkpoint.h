// Mid-job checkpoints: the image, the loss history so far and the optimizer's state, written
// atomically (temporary file, then rename) every `checkpoint_every` evaluations, so a job can be
// continued after preemption. Adam continues exactly; L-BFGS restarts its memory from the image.
#pragma once

#include <torch/types.h>

#include <memory>
#include <string>

#include "job/job_params.h"
#include "job/job_result.h"

namespace torch::optim { class Optimizer; }
namespace torch::serialize { class InputArchive; }

namespace stylesweep {

struct CheckpointState {
  torch::Tensor image;
  LossHistory history;
  const torch::optim::Optimizer* optimizer = nullptr;       // saved when set
  std::shared_ptr<torch::serialize::InputArchive> archive;  // on load: optimizer state inside
};

// `key` identifies the job; a checkpoint written for another key is ignored on load, except one of
// the same job under the earlier style normalization, which is refused (Error naming the file).
void save_checkpoint(const StyleJob& job, const std::string& key, const CheckpointState& state);
// True when job.checkpoint_path holds a checkpoint of this job; fills `state`.
bool load_checkpoint(const StyleJob& job, const std::string& key, CheckpointState& state);
// Loads the optimizer state saved with the checkpoint, if there was one.
void restore_optimizer(const CheckpointState& state, torch::optim::Optimizer& optimizer);
void remove_checkpoint(const StyleJob& job);

}  // namespace stylesweep
