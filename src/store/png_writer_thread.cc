#include "store/png_writer_thread.h"

#include <filesystem>

#include "common/cpu_time.h"
#include "common/durable_file.h"

namespace stylesweep {

void write_png_into_place(const std::string& path, const Image& image) {
  const std::string temporary = temporary_path_for(path);
  try {
    write_png(temporary, image);
    rename_into_place(temporary, path);
  } catch (const std::exception&) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
}

PngWriterThread::PngWriterThread() : thread_([this] { loop(); }) {}

PngWriterThread::~PngWriterThread() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  wake_.notify_one();
  thread_.join();
}

void PngWriterThread::write(const std::string& path, const Image& image) {
  std::lock_guard<std::mutex> lock(mutex_);
  queue_.emplace_back(path, image);
  wake_.notify_one();
}

std::string PngWriterThread::wait() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [&] { return queue_.empty() && !writing_; });
  return std::exchange(error_, std::string());
}

double PngWriterThread::cpu_seconds() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return cpu_seconds_;
}

void PngWriterThread::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;
    auto [path, image] = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    lock.unlock();
    const double cpu = thread_cpu_seconds();
    std::string failure;
    try {
      write_png_into_place(path, image);
    } catch (const std::exception& error) {  // nothing may escape the thread
      failure = error.what();
    }
    lock.lock();
    writing_ = false;
    cpu_seconds_ += thread_cpu_seconds() - cpu;
    if (error_.empty()) error_ = failure;
    idle_.notify_all();
  }
}

}  // namespace stylesweep
