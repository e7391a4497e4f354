// Small string helpers shared by the CLI, configs and error messages.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace stylesweep {

std::vector<std::string> split(const std::string& text, char separator);
std::string join(const std::vector<std::string>& parts, const std::string& separator);
// The closest candidate by edit distance, or "" when none is close enough to suggest.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);
// Appends " (did you mean 'x'?)" when a close candidate exists.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace stylesweep

namespace stylesweep {
// A CSV field, quoted when it holds a comma, a quote or a newline (RFC 4180).
std::string csv_field(const std::string& text);
// The current time as ISO 8601 UTC, e.g. 2026-11-29T18:25:00Z.
std::string utc_now_iso();
// A parameter value as people read it, in %g style (1e-05, 0.00015, 512), with as many digits as
// it takes to read back as the same double: two values never share a text.
std::string value_text(double value);
// The number when all of `text` reads as one (as std::stod reads it), else nullopt.
std::optional<double> parse_number(const std::string& text);
}  // namespace stylesweep
