// Who ran what: the command line as typed, Éclat's version and commit, the
// host's kernel, the start time. Recorded in every run's results.json and
// scenario.json ("run identity") so that a results directory found weeks
// later says how it was made.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace eclat {

// main() records its arguments once, before any command runs.
void set_command_line(int argc, char** argv);
const std::vector<std::string>& command_line();

// The command line as one shell-quoted string (what to paste to run it again).
std::string shell_quote(const std::vector<std::string>& words);

// {"command_line", "version", "commit", "kernel", "host", "started_utc"}:
// started_utc is taken at the first call.
nlohmann::json run_identity();

}  // namespace eclat
