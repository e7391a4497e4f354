#include "common/process.h"

#include <filesystem>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "common/error.h"

namespace stylesweep {

ProgramResult run_program(const std::vector<std::string>& arguments, const std::string& input, bool quiet) {
  int to_child[2], from_child[2];
  if (pipe(to_child) != 0 || pipe(from_child) != 0) throw Error("cannot create pipes for " + arguments.at(0), ErrorKind::kInternal);
  const pid_t child = fork();
  if (child < 0) throw Error("cannot start " + arguments.at(0) + " (fork failed)", ErrorKind::kInternal);
  if (child == 0) {
    dup2(to_child[0], STDIN_FILENO);
    dup2(from_child[1], STDOUT_FILENO);
    if (quiet) {
      const int null = open("/dev/null", O_WRONLY);
      if (null >= 0) dup2(null, STDERR_FILENO);
    }
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

std::string find_near_executable(const std::vector<std::string>& relatives) {
  std::error_code ignored;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ignored);
  for (std::filesystem::path directory = self.parent_path(); !directory.empty() && directory != directory.root_path();
       directory = directory.parent_path()) {
    for (const auto& relative : relatives) {
      if (std::filesystem::exists(directory / relative, ignored)) return (directory / relative).string();
    }
  }
  return "";
}

void reexecute_with_huge_pages() {
  constexpr const char* kTunable = "glibc.malloc.hugetlb=1";
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  const std::string current = tunables ? tunables : "";
  if (current.find("glibc.malloc.hugetlb") != std::string::npos) return;
  std::ifstream enabled("/sys/kernel/mm/transparent_hugepage/enabled");
  const std::string modes((std::istreambuf_iterator<char>(enabled)), std::istreambuf_iterator<char>());
  if (modes.empty() || modes.find("[never]") != std::string::npos) return;
  std::ifstream command_line("/proc/self/cmdline", std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(command_line)), std::istreambuf_iterator<char>());
  std::vector<std::string> arguments;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = text.find('\0', start);
    arguments.push_back(text.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (arguments.empty()) return;
  std::vector<char*> argv;
  for (auto& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  const std::string value = current.empty() ? kTunable : current + ":" + kTunable;
  if (setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0) return;
  execv("/proc/self/exe", argv.data());
  // Still here: exec failed; go on as we are.
  if (tunables) {
    setenv("GLIBC_TUNABLES", current.c_str(), 1);
  } else {
    unsetenv("GLIBC_TUNABLES");
  }
}

}  // namespace stylesweep
