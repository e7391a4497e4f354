#include "runner/session.h"

namespace stylesweep {

ProcessRole process_role(const Session& session) {
  if (session.size() == 1) return ProcessRole::kSerial;
  return session.rank() == 0 ? ProcessRole::kCoordinator : ProcessRole::kWorker;
}

}  // namespace stylesweep
