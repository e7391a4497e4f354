#include "report/snapshot_strips.h"

#include <algorithm>

#include "h5/h5_file.h"

namespace stylesweep {

std::vector<SnapshotStrip> write_snapshot_strips(const SweepResults& results, const std::string& report_directory,
                                                 int max_snapshots) {
  std::vector<SnapshotStrip> strips;
  const h5::File file = h5::File::open_read_only(results.path);
  for (const JobRecord& job : results.jobs) {
    const std::string group = "/jobs/" + job.id;
    if (job.status != JobStatus::kDone || !file.exists(group + "/snapshots")) continue;
    const h5::DatasetInfo info = file.dataset_info(group + "/snapshots");
    if (info.shape.size() != 4 || info.shape[0] == 0 || info.shape[3] != 3) continue;
    const std::vector<std::uint8_t> rgb = file.read_uint8(group + "/snapshots");
    const std::vector<double> evaluations = file.read_float64(group + "/snapshot_evaluation");
    const std::size_t count = info.shape[0], pixels = std::size_t(info.shape[1] * info.shape[2]) * 3;
    const std::size_t shown = std::min<std::size_t>(count, std::size_t(std::max(1, max_snapshots)));
    SnapshotStrip strip;
    strip.label = job.label;
    std::vector<Image> images;
    for (std::size_t k = 0; k < shown; ++k) {
      const std::size_t index = shown == 1 ? count - 1 : k * (count - 1) / (shown - 1);
      images.push_back(from_rgb8(rgb.data() + index * pixels, int(info.shape[2]), int(info.shape[1])));
      strip.evaluations.push_back(index < evaluations.size() ? int(evaluations[index]) : -1);
    }
    strip.strip = "snapshots-" + job.label + ".png";
    write_png(report_directory + "/" + strip.strip, side_by_side(images, 2));
    strips.push_back(std::move(strip));
  }
  return strips;
}

}  // namespace stylesweep
