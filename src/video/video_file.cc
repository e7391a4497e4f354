#include "video/video_file.h"

#include <filesystem>

#include <opencv2/videoio.hpp>

#include "common/error.h"

namespace stylesweep {

void write_webm(const std::string& path, const std::vector<Image>& frames, double frames_per_second) {
  require(!frames.empty(), "write_webm: no frames");
  const std::string temporary = path + ".partial.webm";
  const cv::Size size(frames.front().width, frames.front().height);
  {
    cv::VideoWriter writer(temporary, cv::CAP_FFMPEG, cv::VideoWriter::fourcc('V', 'P', '8', '0'), frames_per_second,
                           size);
    if (!writer.isOpened()) throw io_error(path, "cannot write a WebM video (FFmpeg's VP8 encoder refused it)");
    for (const Image& frame : frames) {
      require(frame.width == size.width && frame.height == size.height, "write_webm: frames differ in size");
      cv::Mat bgr(size, CV_8UC3);
      const std::vector<std::uint8_t> rgb = to_rgb8(frame);
      for (int y = 0; y < size.height; ++y) {
        for (int x = 0; x < size.width; ++x) {
          const std::size_t p = (std::size_t(y) * size.width + x) * 3;
          bgr.at<cv::Vec3b>(y, x) = cv::Vec3b(rgb[p + 2], rgb[p + 1], rgb[p]);
        }
      }
      writer.write(bgr);
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) throw io_error(path, "cannot put the video in place: " + error.message());
}

}  // namespace stylesweep
