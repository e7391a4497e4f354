#include "common/process.h"

#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"

namespace stylesweep {

ProgramResult run_program(const std::vector<std::string>& arguments, const std::string& input) {
  int to_child[2], from_child[2];
  if (pipe(to_child) != 0 || pipe(from_child) != 0) throw Error("cannot create pipes for " + arguments.at(0));
  const pid_t child = fork();
  if (child < 0) throw Error("cannot start " + arguments.at(0) + " (fork failed)");
  if (child == 0) {
    dup2(to_child[0], STDIN_FILENO);
    dup2(from_child[1], STDOUT_FILENO);
    close(to_child[0]); close(to_child[1]); close(from_child[0]); close(from_child[1]);
    std::vector<char*> argv;
    for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  close(to_child[0]);
  close(from_child[1]);
  const char* data = input.data();
  for (std::size_t left = input.size(); left > 0;) {
    const ssize_t written = write(to_child[1], data, left);
    if (written <= 0) break;
    data += written;
    left -= std::size_t(written);
  }
  close(to_child[1]);
  ProgramResult result;
  char buffer[4096];
  for (ssize_t n; (n = read(from_child[0], buffer, sizeof(buffer))) > 0;) result.output.append(buffer, std::size_t(n));
  close(from_child[0]);
  int status = 0;
  waitpid(child, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace stylesweep
