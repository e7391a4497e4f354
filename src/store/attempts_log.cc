#include "store/attempts_log.h"

namespace stylesweep {

AttemptsLog::AttemptsLog(std::string path) : path_(std::move(path)) {
  std::ifstream log(path_);
  for (std::string line; std::getline(log, line);) {
    const std::string id = line.substr(0, 16);
    if (id.size() != 16) continue;
    if (line.size() == 16) ++attempts_[id];
    if (line == id + " interrupted") --attempts_[id];
  }
}

int AttemptsLog::attempts(const std::string& id) const {
  auto found = attempts_.find(id);
  return found == attempts_.end() ? 0 : found->second;
}

void AttemptsLog::started(const std::string& id) {
  ++attempts_[id];
  append(id);
}

void AttemptsLog::interrupted(const std::string& id) { append(id + " interrupted"); }

void AttemptsLog::append(const std::string& line) {
  if (!out_.is_open()) out_.open(path_, std::ios::app);
  out_ << line << '\n';
  out_.flush();
}

}  // namespace stylesweep
