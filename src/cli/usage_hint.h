// What a usage error most likely meant: a misspelt command or option named with its closest
// match, so that `stylesweep runn` and `--optimiser` say more than CLI11's generic message.
#pragma once

#include <string>
#include <vector>

namespace CLI { class App; }

namespace stylesweep {

// "" when no hint applies. arguments: argv[1..].
std::string usage_hint(CLI::App& app, const std::vector<std::string>& arguments);

}  // namespace stylesweep
