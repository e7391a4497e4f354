// The session of a build without MPI (STYLESWEEP_MPI=OFF): one process, which coordinates and
// works through InProcessLink.
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "common/error.h"
#include "runner/session.h"

namespace stylesweep {
namespace {

class SerialSession : public Session {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string host() const override {
    char name[HOST_NAME_MAX + 1] = {};
    return ::gethostname(name, sizeof name - 1) == 0 ? std::string(name) : std::string("localhost");
  }
  void worker_placement(int* local_index, int* workers_on_node) const override {
    *local_index = 0;
    *workers_on_node = 1;
  }
  std::string broadcast(std::string text) const override { return text; }
  [[noreturn]] void abort(int code) const override { std::_Exit(code); }
  std::unique_ptr<CoordinatorLink> coordinator_link() const override { throw no_ranks(); }
  std::unique_ptr<WorkerLink> worker_link() const override { throw no_ranks(); }

 private:
  static Error no_ranks() {
    return Error("this stylesweep was built without MPI (STYLESWEEP_MPI=OFF): one process only",
                 ErrorKind::kInternal);
  }
};

}  // namespace

std::unique_ptr<Session> start_session(int*, char***) {
  // Started as one of several ranks (mpirun, srun): each would coordinate the same sweep alone.
  for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"}) {
    const char* value = std::getenv(variable);
    if (value && std::atoi(value) > 1) {
      throw Error(std::string("this stylesweep was built without MPI (STYLESWEEP_MPI=OFF) but started "
                              "as one of ") + value + " ranks (" + variable + "): run it as one process", ErrorKind::kBadInput);
    }
  }
  return std::make_unique<SerialSession>();
}
bool sessions_have_mpi() { return false; }

}  // namespace stylesweep
