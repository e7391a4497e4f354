// Journal-writer processes: rank 0 writes its journal segments in several processes at once.
// A job's group in HDF5 costs about half a millisecond of library time, and Debian's HDF5 is not
// thread-safe, so one process cannot store more than about two thousand small jobs a second;
// with N writers it can store N times that. Each writer is a small program
// (stylesweep-journal-writer, no libtorch) that writes the outcomes it is sent into its own
// segment file, and their PNGs (creating many small files is the other cost per job), and when
// asked closes the segment and answers with its index rows. The result store names the files,
// syncs them and renames the segments into place, as it does its own.
// A writer exits when its socket closes, and is killed if the thread that started it ends (a
// kill -9 of rank 0 leaves no writer behind); it ignores the drain signals (SIGTERM, SIGUSR1),
// which rank 0 handles by finishing its batch through it.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "store/journal_record.h"
#include "runner/messages.h"

namespace stylesweep {

class JournalWriters {
 public:
  // Starts `count` writers running `program`; throws Error naming the program when one cannot
  // start.
  JournalWriters(const std::string& program, int count, const std::string& weights_sha256,
                 const std::vector<std::string>& varying_keys);
  ~JournalWriters();  // closes their sockets and waits for them to exit
  JournalWriters(const JournalWriters&) = delete;
  JournalWriters& operator=(const JournalWriters&) = delete;

  int count() const { return int(processes_.size()); }
  // Has writer `index` write the outcome into the segment file at `path`, which its first job
  // creates, and its image to `image_path` (unless empty) as a PNG, renamed into place unsynced.
  // The request waits in a buffer until flush() (or a full buffer, or close()): a message and a
  // wake-up per job cost the writer as much as the job's HDF5 group on a busy node.
  // Throws Error when the writer is gone.
  void write(int index, const std::string& path, const std::string& image_path,
             const WorkItem& item, const JobOutcome& outcome);
  // Sends every buffered request; does not wait for the writes.
  void flush();
  // Has each writer in `indices` flush and close its segment file (unsynced), all at once, and
  // returns each one's index rows by id. Throws the first failure any of them reports (a full
  // disk) or Error when one is gone; their files are then incomplete.
  std::vector<std::map<std::string, IndexRow>> close(const std::vector<int>& indices);
  // CPU seconds of the busiest writer, as of its last close.
  double busiest_cpu_seconds() const;

 private:
  struct Process {
    pid_t pid = -1;
    int socket = -1;
    double cpu_seconds = 0;
    std::string unsent;  // buffered frames
  };
  void buffer(int index, int kind, const std::string& payload);
  void send_buffered(Process& process);
  std::vector<Process> processes_;
};

// The writer's side: serves the socket `socket` until it closes. Returns the exit code.
int serve_journal_writer(int socket);

}  // namespace stylesweep
