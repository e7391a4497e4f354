#include "runner/journal_writers.h"

#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "common/durable_file.h"
#include "common/error.h"
#include "image/image.h"
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

bool receive_all(int socket, char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t received = ::recv(socket, data, size, 0);
    if (received < 0 && errno == EINTR) continue;
    if (received <= 0) return false;
    data += received;
    size -= std::size_t(received);
  }
  return true;
}

bool send_frame(int socket, std::uint8_t kind, const std::string& payload) {
  char header[9];
  header[0] = char(kind);
  const std::uint64_t size = payload.size();
  std::memcpy(header + 1, &size, sizeof size);
  return send_all(socket, header, sizeof header) && send_all(socket, payload.data(), payload.size());
}

// False at the end of the stream.
bool receive_frame(int socket, std::uint8_t* kind, std::string* payload) {
  char header[9];
  if (!receive_all(socket, header, sizeof header)) return false;
  *kind = std::uint8_t(header[0]);
  std::uint64_t size = 0;
  std::memcpy(&size, header + 1, sizeof size);
  payload->resize(size);
  return receive_all(socket, payload->data(), size);
}

double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

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
      throw Error(fmt::format("cannot start journal writer {}: socketpair: {}", program, std::strerror(errno)));
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
      throw file_error(program, std::string("cannot start journal writer: ") + std::strerror(failure));
    }
    processes_.push_back({pid, sockets[0], 0});
    send(index, kStart, start_payload);
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

void JournalWriters::send(int index, int kind, const std::string& payload) {
  const Process& process = processes_.at(std::size_t(index));
  if (!send_frame(process.socket, std::uint8_t(kind), payload)) {
    throw Error(fmt::format("journal writer process {} is gone: {}", process.pid, std::strerror(errno)));
  }
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
  send(index, kWrite, out.take());
}

std::vector<std::map<std::string, IndexRow>> JournalWriters::close(const std::vector<int>& indices) {
  for (int index : indices) send(index, kClose, "");
  std::vector<std::map<std::string, IndexRow>> rows;
  std::string failure;
  for (int index : indices) {  // every answer is read, so the sockets stay in step
    Process& process = processes_.at(std::size_t(index));
    std::uint8_t kind = 0;
    std::string payload;
    if (!receive_frame(process.socket, &kind, &payload) || kind != kClosed) {
      throw Error(fmt::format("journal writer process {} is gone", process.pid));
    }
    WireReader in(payload);
    const std::string error = in.text();
    rows.push_back(decode_index_rows(in.text()));
    process.cpu_seconds = in.number<double>();
    if (failure.empty()) failure = error;
  }
  if (!failure.empty()) throw Error(failure);
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
  std::uint8_t kind = 0;
  std::string payload;
  while (receive_frame(socket, &kind, &payload)) {
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
      if (!image_path.empty()) {
        try {
          write_png(temporary_path_for(image_path), outcome.result.image);
          rename_into_place(temporary_path_for(image_path), image_path);
        } catch (const std::exception& error) {
          failure = error.what();
          ::unlink(temporary_path_for(image_path).c_str());
          continue;
        }
      }
      try {
        if (!segment) segment = std::make_unique<h5::File>(h5::File::create(path, h5::File::SmallDatasets::kCompact));
        write_outcome(*segment, item, outcome, weights_sha256);
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
