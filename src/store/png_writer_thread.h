// Writes PNG files on a thread of its own: for a sweep of small jobs, encoding images and
// creating many small files is a good part of what rank 0 spends per job. Each file goes to a
// temporary name and is renamed into place unsynced; the caller's filesystem sync (the result
// store's, before it journals the jobs) makes them durable.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "image/image.h"

namespace stylesweep {

// Writes `image` as a PNG under a temporary name and renames it into place, unsynced. On failure
// the temporary file is removed and Error (naming the file) is thrown.
void write_png_into_place(const std::string& path, const Image& image);

class PngWriterThread {
 public:
  PngWriterThread();
  ~PngWriterThread();  // drops what is still queued
  PngWriterThread(const PngWriterThread&) = delete;
  PngWriterThread& operator=(const PngWriterThread&) = delete;

  void write(const std::string& path, const Image& image);
  // Waits until every queued PNG is written; returns the first failure since the last wait
  // (empty: none).
  std::string wait();
  double cpu_seconds() const;

 private:
  void loop();

  mutable std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<std::pair<std::string, Image>> queue_;
  bool stopping_ = false, writing_ = false;
  std::string error_;
  double cpu_seconds_ = 0;
  std::thread thread_;  // last: starts once the rest is constructed
};

}  // namespace stylesweep
