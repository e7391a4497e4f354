// <output>/attempts.log: a line "<id>" for every start of a job and "<id> interrupted" for every
// start that ended in a drain. A job's attempts, across runs, are its starts that did not end in
// an interruption (--max-attempts counts them). Appended a line at a time; a torn last line
// (a kill) is ignored when read.
#pragma once

#include <fstream>
#include <map>
#include <string>

namespace stylesweep {

class AttemptsLog {
 public:
  explicit AttemptsLog(std::string path);  // reads what earlier runs wrote

  int attempts(const std::string& id) const;
  void started(const std::string& id);
  void interrupted(const std::string& id);

 private:
  void append(const std::string& line);

  std::string path_;
  std::map<std::string, int> attempts_;
  std::ofstream out_;  // kept open: a sweep of small jobs starts many per second
};

}  // namespace stylesweep
