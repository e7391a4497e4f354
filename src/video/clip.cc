#include "video/clip.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include "common/error.h"
#include "common/sha256.h"
#include "image/image.h"

namespace stylesweep {
namespace {

bool is_frame_file(const std::filesystem::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
  return extension == ".png" || extension == ".jpg" || extension == ".jpeg";
}

std::vector<std::string> frame_files(const std::string& directory) {
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.is_regular_file() && is_frame_file(entry.path())) paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

// Decodes every frame of `path` into `directory` as frame-NNNNNN.png; a file named `complete`
// marks a finished decode, so an interrupted one is redone.
void decode_video(const std::string& name, const std::string& path, const std::string& directory) {
  if (std::filesystem::exists(directory + "/complete")) return;
  cv::VideoCapture capture(path, cv::CAP_FFMPEG);
  if (!capture.isOpened()) {
    throw file_error(path, fmt::format("clip '{}': cannot decode this file as video (FFmpeg could not open it)", name),
                     ErrorKind::kBadInput);
  }
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  cv::Mat frame;
  int count = 0;
  while (capture.read(frame)) {
    if (frame.empty()) break;
    const std::string file = fmt::format("{}/frame-{:06d}.png", directory, count++);
    if (!cv::imwrite(file, frame)) throw io_error(file, "cannot write a decoded frame (disk full?)");
  }
  if (count == 0) {
    throw file_error(path, fmt::format("clip '{}': no frame could be decoded from this file", name),
                     ErrorKind::kBadInput);
  }
  std::ofstream(directory + "/complete") << count << "\n";
}

}  // namespace

ClipFrames read_clip(const std::string& name, const std::string& path, const std::string& cache_directory) {
  ClipFrames clip;
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    clip.paths = frame_files(path);
    if (clip.paths.empty()) {
      throw file_error(path, fmt::format("clip '{}': the directory holds no PNG or JPEG frames", name),
                       ErrorKind::kBadInput);
    }
  } else if (std::filesystem::is_regular_file(path, error)) {
    if (std::filesystem::file_size(path) == 0) {
      throw file_error(path, fmt::format("clip '{}': the video file is empty", name), ErrorKind::kBadInput);
    }
    const std::string directory = fmt::format("{}/{}-{}", cache_directory, name, sha256_file(path).substr(0, 16));
    decode_video(name, path, directory);
    clip.paths = frame_files(directory);
  } else {
    throw file_error(path, fmt::format("clip '{}': no such video file or frame directory", name), ErrorKind::kBadInput);
  }
  for (const std::string& frame : clip.paths) {
    const auto [width, height] = read_image_size(frame);
    if (frame == clip.paths.front()) {
      clip.width = width;
      clip.height = height;
    } else if (width != clip.width || height != clip.height) {
      throw file_error(frame, fmt::format("clip '{}': frames differ in size: this one is {}x{}, the first ({}) {}x{}",
                                          name, width, height, clip.paths.front(), clip.width, clip.height),
                       ErrorKind::kBadInput);
    }
  }
  return clip;
}

}  // namespace stylesweep
