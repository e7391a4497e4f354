#include "cli/usage_hint.h"

#include <CLI/CLI.hpp>

#include <algorithm>

#include "common/text.h"

namespace stylesweep {
namespace {

std::vector<std::string> command_names(CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* command : app.get_subcommands([](CLI::App*) { return true; })) {
    names.push_back(command->get_name());
  }
  return names;
}

// The long option names of `command` and of the commands above it (flags like --help included).
std::vector<std::string> option_names(CLI::App* command) {
  std::vector<std::string> names;
  for (CLI::App* app = command; app; app = app->get_parent()) {
    for (const CLI::Option* option : app->get_options()) {
      for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
    }
  }
  return names;
}

}  // namespace

std::string usage_hint(CLI::App& app, const std::vector<std::string>& arguments) {
  CLI::App* command = &app;
  std::size_t next = 0;  // the first argument after the chosen commands' names
  while (next < arguments.size()) {
    const auto chosen = command->get_subcommands([&](CLI::App* sub) { return sub->check_name(arguments[next]); });
    if (chosen.empty()) break;
    command = chosen.front();
    ++next;
  }
  const std::vector<std::string> subcommands = command_names(*command);
  const std::string of = command == &app ? "" : " of '" + command->get_name() + "'";
  if (!subcommands.empty() && next < arguments.size() && arguments[next].rfind("-", 0) != 0) {
    const std::string& word = arguments[next];
    return "unknown command '" + word + "'" + did_you_mean(word, subcommands) + "; the commands" + of + ": " +
           join(subcommands, ", ");
  }
  const std::vector<std::string> known = option_names(command);
  for (std::size_t i = next; i < arguments.size(); ++i) {
    const std::string& argument = arguments[i];
    if (argument == "--") break;
    if (argument.rfind("--", 0) != 0) continue;
    const std::string name = argument.substr(0, argument.find('='));
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    return "unknown option '" + name + "'" + of + did_you_mean(name, known);
  }
  return "";
}

}  // namespace stylesweep
