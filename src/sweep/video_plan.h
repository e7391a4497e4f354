// A video job as frame jobs (Ruder, Dosovitskiy and Brox 2016, as chains a runner can schedule):
// one job per chosen frame and pass, each linked to the jobs whose results it starts from and is
// pulled towards by the temporal loss.
//   sequential: frame t of pass p links to frames t∓d (d in temporal_links) of the same pass, in
//     the pass's direction (forward in odd passes, backward in even ones), and from pass 2 on to
//     its own result of pass p−1: one chain per pass, as Ruder's multi-pass algorithm.
//   parallel: pass 1's frames are independent; frame t of pass p > 1 links to its own result and
//     its neighbours' of pass p−1, so every frame of a pass is ready at once.
// The first pass's start follows video_init; a link exists only when the start or the temporal
// loss uses it, so `temporal_weight: 0` with `video_init: init` gives independent frames.
#pragma once

#include <cstddef>
#include <vector>

#include "sweep/expand.h"
#include "video/clip.h"

namespace stylesweep {

struct FrameJobPlan {
  PlannedJob planned;                // job.frame, job.pass, job.content (the frame), job.frame_links
  std::vector<std::size_t> link_jobs;  // per frame link: the index of the job it links to
};

// In dependency order: each job's links point to jobs before it. Links get their frame path;
// their result path and id are the caller's to fill once those jobs have ids. Throws Error when
// the frame range leaves the clip.
std::vector<FrameJobPlan> plan_frame_jobs(const PlannedJob& video_job, const ClipFrames& clip);

// The frame indices a video job chooses (frame_start, frame_count, frame_step).
std::vector<int> chosen_frames(const StyleJob& job, std::size_t clip_frames);

}  // namespace stylesweep
