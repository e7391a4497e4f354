#include "store/journal_writers.h"

#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "common/cpu_time.h"
#include "common/error.h"
#include "store/png_writer_thread.h"
#include "runner/wire.h"

extern char** environ;

namespace stylesweep {
namespace {

// Frames on the socket: a kind byte, a 64-bit length, the payload.
enum Kind : std::uint8_t {
  kStart = 1,   // -> writer: weights_sha256, varying keys
  kWrite = 2,   // -> writer: segment path, PNG path, WorkItem, JobOutcome
  kClose = 3,   // -> writer: close the segment file
  kClosed = 4,  // <- writer: failure (empty: none), index rows, CPU seconds
};

// The descriptor a writer finds its socket on.
constexpr int kWriterSocket = 3;

bool send_all(int socket, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t sent = ::send(socket, data, size, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    data += sent;
    size -= std::size_t(sent);
  }
  return true;
}

void append_frame(std::string& out, std::uint8_t kind, const std::string& payload) {
  char header[9];
  header[0] = char(kind);
  const std::uint64_t size = payload.size();
  std::memcpy(header + 1, &size, sizeof size);
  out.append(header, sizeof header);
  out.append(payload);
}

bool send_frame(int socket, std::uint8_t kind, const std::string& payload) {
  std::string frame;
  append_frame(frame, kind, payload);
  return send_all(socket, frame.data(), frame.size());
}

// Reads frames from a socket, as many at a time as have arrived.
class FrameReader {
 public:
  explicit FrameReader(int socket) : socket_(socket) {}
  // False at the end of the stream.
  bool next(std::uint8_t* kind, std::string* payload) {
    if (!fill(9)) return false;
    *kind = std::uint8_t(buffer_[offset_]);
    std::uint64_t size = 0;
    std::memcpy(&size, buffer_.data() + offset_ + 1, sizeof size);
    if (!fill(9 + size)) return false;
    payload->assign(buffer_, offset_ + 9, size);
    offset_ += 9 + size;
    return true;
  }

 private:
  bool fill(std::size_t wanted) {
    if (offset_ > 0 && buffer_.size() - offset_ < wanted) {
      buffer_.erase(0, offset_);
      offset_ = 0;
    }
    while (buffer_.size() - offset_ < wanted) {
      char chunk[1 << 16];
      const ssize_t received = ::recv(socket_, chunk, sizeof chunk, 0);
      if (received < 0 && errno == EINTR) continue;
      if (received <= 0) return false;
      buffer_.append(chunk, std::size_t(received));
    }
    return true;
  }
  int socket_;
  std::string buffer_;
  std::size_t offset_ = 0;
};

// Buffered requests are sent once this large.
constexpr std::size_t kSendBufferBytes = 256 << 10;

}  // namespace

JournalWriters::JournalWriters(const std::string& program, int count, const std::string& weights_sha256,
                               const std::vector<std::string>& varying_keys) {
  WireWriter start;
  start.text(weights_sha256);
  start.texts(varying_keys);
  const std::string start_payload = start.take();
  for (int index = 0; index < count; ++index) {
    int sockets[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0) {
      throw Error(fmt::format("cannot start journal writer {}: socketpair: {}", program, std::strerror(errno)),
                  ErrorKind::kInternal);
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, sockets[1], kWriterSocket);  // clears close-on-exec
    std::string descriptor = std::to_string(kWriterSocket);
    char* arguments[] = {const_cast<char*>(program.c_str()), descriptor.data(), nullptr};
    pid_t pid = -1;
    const int failure = posix_spawn(&pid, program.c_str(), &actions, nullptr, arguments, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(sockets[1]);
    if (failure != 0) {
      ::close(sockets[0]);
      throw file_error(program, std::string("cannot start journal writer: ") + std::strerror(failure),
                       ErrorKind::kInternal);
    }
    processes_.push_back({pid, sockets[0], 0, ""});
    buffer(index, kStart, start_payload);
  }
}

JournalWriters::~JournalWriters() {
  for (Process& process : processes_) ::close(process.socket);
  for (Process& process : processes_) {
    int status = 0;
    while (::waitpid(process.pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

void JournalWriters::buffer(int index, int kind, const std::string& payload) {
  Process& process = processes_.at(std::size_t(index));
  append_frame(process.unsent, std::uint8_t(kind), payload);
  if (process.unsent.size() >= kSendBufferBytes) send_buffered(process);
}

void JournalWriters::send_buffered(Process& process) {
  if (process.unsent.empty()) return;
  if (!send_all(process.socket, process.unsent.data(), process.unsent.size())) {
    throw Error(fmt::format("journal writer process {} is gone: {}", process.pid, std::strerror(errno)),
                ErrorKind::kIo);
  }
  process.unsent.clear();
}

void JournalWriters::flush() {
  for (Process& process : processes_) send_buffered(process);
}

void JournalWriters::write(int index, const std::string& path, const std::string& image_path,
                           const WorkItem& item, const JobOutcome& outcome) {
  WorkItem record = item;  // what the group needs: not the input files shipped with the job
  record.files.clear();
  record.checkpoint.clear();
  WireWriter out;
  out.text(path);
  out.text(image_path);
  out.text(encode(record));
  out.text(encode(outcome));
  buffer(index, kWrite, out.take());
}

std::vector<std::map<std::string, IndexRow>> JournalWriters::close(const std::vector<int>& indices) {
  for (int index : indices) buffer(index, kClose, "");
  flush();
  std::vector<std::map<std::string, IndexRow>> rows;
  std::string failure;
  for (int index : indices) {  // every answer is read, so the sockets stay in step
    Process& process = processes_.at(std::size_t(index));
    std::uint8_t kind = 0;
    std::string payload;
    if (!FrameReader(process.socket).next(&kind, &payload) || kind != kClosed) {
      throw Error(fmt::format("journal writer process {} is gone", process.pid), ErrorKind::kIo);
    }
    WireReader in(payload);
    const std::string error = in.text();
    rows.push_back(decode_index_rows(in.text()));
    process.cpu_seconds = in.number<double>();
    if (failure.empty()) failure = error;
  }
  if (!failure.empty()) throw Error(failure, ErrorKind::kIo);
  return rows;
}

double JournalWriters::busiest_cpu_seconds() const {
  double busiest = 0;
  for (const Process& process : processes_) busiest = std::max(busiest, process.cpu_seconds);
  return busiest;
}

int serve_journal_writer(int socket) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  ::signal(SIGTERM, SIG_IGN);
  ::signal(SIGUSR1, SIG_IGN);
  h5::silence_library_errors();
  std::string weights_sha256;
  std::vector<std::string> varying_keys;
  std::unique_ptr<h5::File> segment;  // the open segment file
  std::map<std::string, IndexRow> rows;
  std::string failure;  // the first since the segment was opened; later writes are skipped
  FrameReader requests(socket);
  std::uint8_t kind = 0;
  std::string payload;
  while (requests.next(&kind, &payload)) {
    WireReader in(payload);
    if (kind == kStart) {
      weights_sha256 = in.text();
      varying_keys = in.texts();
    } else if (kind == kWrite) {
      const std::string path = in.text();
      const std::string image_path = in.text();
      const WorkItem item = decode_work_item(in.text());
      const JobOutcome outcome = decode_job_outcome(in.text());
      if (!failure.empty()) continue;
      try {
        if (!image_path.empty()) write_png_into_place(image_path, outcome.result.image);
        if (!segment) segment = std::make_unique<h5::File>(h5::File::create(path, h5::File::SmallDatasets::kCompact));
        write_outcome(*segment, item, outcome, weights_sha256, varying_keys);
        rows[item.id] = row_of_written(*segment, item, outcome, varying_keys);
      } catch (const std::exception& error) {
        failure = error.what();
      }
    } else if (kind == kClose) {
      try {
        if (segment && failure.empty()) {
          segment->flush();  // a full disk shows here; close() cannot report it
          segment->close();
        }
      } catch (const std::exception& error) {
        failure = error.what();
      }
      segment.reset();
      WireWriter out;
      out.text(failure);
      out.text(encode(failure.empty() ? rows : std::map<std::string, IndexRow>{}));
      out.number(process_cpu_seconds());
      if (!send_frame(socket, kClosed, out.take())) return 1;
      rows.clear();
      failure.clear();
    } else {
      return 2;  // not from this build's store
    }
  }
  return 0;
}

}  // namespace stylesweep
