#include "sweep/video_plan.h"

#include <cstdlib>
#include <map>

#include <fmt/format.h>

#include "common/error.h"

namespace stylesweep {

std::vector<int> chosen_frames(const StyleJob& job, std::size_t clip_frames) {
  const long total = long(clip_frames);
  require(job.frame_start < total, [&] {
    return fmt::format("frame_start: {} is outside clip '{}', which has {} frames (0 to {})", job.frame_start,
                       job.video, total, total - 1);
  });
  std::vector<int> frames;
  for (long frame = job.frame_start; frame < total; frame += job.frame_step) {
    if (job.frame_count > 0 && long(frames.size()) == job.frame_count) break;
    frames.push_back(int(frame));
  }
  require(job.frame_count == 0 || long(frames.size()) == job.frame_count, [&] {
    return fmt::format("frame_count: {} frames from frame {} in steps of {} leave clip '{}', which has {} frames",
                       job.frame_count, job.frame_start, job.frame_step, job.video, total);
  });
  return frames;
}

std::vector<FrameJobPlan> plan_frame_jobs(const PlannedJob& video_job, const ClipFrames& clip) {
  const StyleJob& base = video_job.job;
  const std::vector<int> frames = chosen_frames(base, clip.paths.size());
  const int count = int(frames.size());
  const bool temporal = base.temporal_weight > 0;
  std::vector<FrameJobPlan> plans;
  std::map<std::pair<int, int>, std::size_t> index_of;  // (pass, position) -> plan index

  auto link_to = [&](FrameJobPlan& plan, int position, int pass, bool pulls) {
    FrameLink link;
    link.offset = frames[position] - plan.planned.job.frame;
    link.temporal = pulls;
    link.frame = clip.paths[frames[position]];
    plan.planned.job.frame_links.push_back(link);
    plan.link_jobs.push_back(index_of.at({pass, position}));
  };

  for (int pass = 1; pass <= base.video_passes; ++pass) {
    const bool parallel = base.video_schedule == VideoSchedule::kParallel;
    const int direction = parallel || pass % 2 == 1 ? 1 : -1;
    for (int step = 0; step < count; ++step) {
      const int position = direction > 0 ? step : count - 1 - step;
      FrameJobPlan plan{video_job, {}};
      StyleJob& job = plan.planned.job;
      job.frame = frames[position];
      job.pass = pass;
      job.content = clip.paths[frames[position]];
      job.content_name = base.video;
      if (pass > 1) link_to(plan, position, pass - 1, false);  // its own earlier result
      if (parallel && pass > 1) {
        for (int neighbour : {position - 1, position + 1}) {
          if (neighbour >= 0 && neighbour < count) link_to(plan, neighbour, pass - 1, temporal);
        }
      } else if (!parallel) {
        const bool starts_from_previous = pass > 1 || base.video_init != VideoInit::kInit;
        for (int distance : base.temporal_links) {
          const int previous = position - direction * distance;
          if (previous < 0 || previous >= count) continue;
          const bool needed = temporal || (starts_from_previous && distance == base.temporal_links.front());
          if (needed) link_to(plan, previous, pass, temporal);
        }
      }
      plan.planned.label = fmt::format("{}-f{:04d}-p{}", video_job.label, job.frame, pass);
      index_of[{pass, position}] = plans.size();
      plans.push_back(std::move(plan));
    }
  }
  return plans;
}

}  // namespace stylesweep
