// The video parameters of the job table (Ruder, Dosovitskiy and Brox 2016): which clip and frames,
// the temporal loss and initialization, and the passes. They enter the id and the record of
// video jobs only, so every other job's id and attributes stay as they were. The frame range and
// the number of passes stay out of the id: a frame job is the same job in a longer clip or a run
// with more passes, and is not run again.
#include "job/job_fields.h"

#include <cmath>

#include <fmt/format.h>

#include "common/error.h"
#include "common/text.h"

namespace stylesweep {
namespace {

// The field's value, for video jobs only (an entry without a name takes the field's).
template <auto Member>
std::vector<RecordEntry> video_only_record(const StyleJob& job) {
  if (job.video.empty()) return {};
  const auto& value = job.*Member;
  using Value = std::decay_t<decltype(value)>;
  if constexpr (std::is_same_v<Value, std::string>) return {{"", value}};
  else if constexpr (std::is_same_v<Value, int>) return {{"", std::int64_t(value)}};
  else if constexpr (std::is_same_v<Value, double>) return {{"", value}};
  else if constexpr (std::is_same_v<Value, std::vector<int>>) {
    return {{"", std::vector<std::int64_t>(value.begin(), value.end())}};
  } else return {{"", std::string(choice_name(value))}};
}

template <auto Member>
std::optional<std::string> video_only_id(const StyleJob& job, const FileHasher&) {
  if (job.video.empty()) return std::nullopt;
  const auto& value = job.*Member;
  using Value = std::decay_t<decltype(value)>;
  if constexpr (std::is_same_v<Value, int>) return std::to_string(value);
  else if constexpr (std::is_same_v<Value, double>) return exact(value);
  else if constexpr (std::is_same_v<Value, std::vector<int>>) return int_list(value, ",");
  else return std::string(choice_name(value));
}

void check_integer_at_least(const char* name, int value, int minimum, int maximum) {
  require(value >= minimum && value <= maximum,
          [&] { return fmt::format("{}: must be an integer from {} to {}, got {}", name, minimum, maximum, value); });
}

}  // namespace

void add_video_fields(std::vector<JobField>& fields) {
  auto add = [&fields](JobField field, auto record, auto id) {
    field.record = record;
    if (id) field.id_value = id;
    else field.in_id = false;
    fields.push_back(std::move(field));
  };
  using IdFunction = std::optional<std::string> (*)(const StyleJob&, const FileHasher&);
  constexpr IdFunction kNotInId = nullptr;

  // The clip's name labels the job; its frames' pixels are in the id as each frame job's content.
  add({"video", &StyleJob::video, "clip name (under `images.videos`)", "none",
       "makes the job a video job: one frame job per chosen frame and pass (Ruder et al. 2016); "
       "a job sets either `content` or `video`"},
      video_only_record<&StyleJob::video>, kNotInId);

  JobField start{"frame_start", &StyleJob::frame_start, "integer ≥ 0", "0", "the clip's first frame to stylize",
                 LabelStyle::kPrefixed, "f"};
  start.check = [](const StyleJob& job) { check_integer_at_least("frame_start", job.frame_start, 0, 1 << 24); };
  add(start, video_only_record<&StyleJob::frame_start>, kNotInId);

  JobField count{"frame_count", &StyleJob::frame_count, "integer ≥ 0", "0 (to the clip's end)",
                 "how many frames to stylize", LabelStyle::kPrefixed, "n"};
  count.check = [](const StyleJob& job) { check_integer_at_least("frame_count", job.frame_count, 0, 1 << 24); };
  add(count, video_only_record<&StyleJob::frame_count>, kNotInId);

  JobField step{"frame_step", &StyleJob::frame_step, "integer ≥ 1", "1", "every n-th frame of the clip",
                LabelStyle::kPrefixed, "step"};
  step.check = [](const StyleJob& job) { check_integer_at_least("frame_step", job.frame_step, 1, 1 << 20); };
  add(step, video_only_record<&StyleJob::frame_step>, kNotInId);

  JobField weight{"temporal_weight", &StyleJob::temporal_weight, "number ≥ 0", "1e-4",
                  "weight of the temporal loss (1/D) Σ c ⊙ (x − ω)², ω the linked frames' results warped along "
                  "the optical flow and c the flow's reliability (Ruder et al., Sec. 3); 0: none",
                  LabelStyle::kScientific, "tw"};
  weight.check = [](const StyleJob& job) {
    require(std::isfinite(job.temporal_weight) && job.temporal_weight >= 0,
            [&] { return fmt::format("temporal_weight: must be finite and >= 0, got {}", job.temporal_weight); });
  };
  add(weight, video_only_record<&StyleJob::temporal_weight>, video_only_id<&StyleJob::temporal_weight>);

  JobField links{"temporal_links", &StyleJob::temporal_links, "list of integers ≥ 1, ascending", "[1]",
                 "frame distances the temporal loss links each frame to (Ruder's long-term consistency: "
                 "[1, 2, 4]); a pixel counts for its nearest reliable link",
                 LabelStyle::kPrefixed, "links"};
  links.check = [](const StyleJob& job) {
    const std::vector<int>& values = job.temporal_links;
    require(!values.empty() && values.size() <= 8, "temporal_links: give 1 to 8 frame distances");
    for (std::size_t k = 0; k < values.size(); ++k) {
      require(values[k] >= 1 && values[k] <= 64 && (k == 0 || values[k] > values[k - 1]), [&] {
        return fmt::format("temporal_links: must be ascending integers from 1 to 64, got [{}]",
                           int_list(values, ", "));
      });
    }
  };
  add(links, video_only_record<&StyleJob::temporal_links>, video_only_id<&StyleJob::temporal_links>);

  add({"video_init", &StyleJob::video_init, "`prev_warped`, `prev` or `init`", "`prev_warped`",
       "what a frame starts from in the first pass: the previous frame's result warped along the flow, that "
       "result unwarped, or the job's `init` (independent frames)"},
      video_only_record<&StyleJob::video_init>, video_only_id<&StyleJob::video_init>);

  JobField passes{"video_passes", &StyleJob::video_passes, "integer 1 … 16", "1",
                  "passes over the clip; each later pass starts from the previous pass's results",
                  LabelStyle::kPrefixed, "passes"};  // a frame job's own pass is "-p<pass>"
  passes.check = [](const StyleJob& job) { check_integer_at_least("video_passes", job.video_passes, 1, 16); };
  add(passes, video_only_record<&StyleJob::video_passes>, kNotInId);

  add({"video_schedule", &StyleJob::video_schedule, "`sequential` or `parallel`", "`sequential`",
       "`sequential`: frame t waits for frame t−1 of its pass, later passes alternate direction (Ruder's); "
       "`parallel`: every frame of a pass at once, pass p blending pass p−1's results of the frame and its "
       "warped neighbours"},
      video_only_record<&StyleJob::video_schedule>, video_only_id<&StyleJob::video_schedule>);

  JobField frame{"frame", &StyleJob::frame, "set by the planner", "—",
                 "a frame job's index in its clip"};
  frame.planner_sets = true;
  add(frame, video_only_record<&StyleJob::frame>, video_only_id<&StyleJob::frame>);
  JobField pass{"pass", &StyleJob::pass, "set by the planner", "—", "a frame job's pass, from 1"};
  pass.planner_sets = true;
  add(pass, video_only_record<&StyleJob::pass>, video_only_id<&StyleJob::pass>);
}

}  // namespace stylesweep
