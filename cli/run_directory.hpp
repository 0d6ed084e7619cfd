// The run directory: results/<test-name>/<YYYYmmddTHHMMSSZ>/ and a `latest`
// symlink beside it, made only once the input is known to be good.
#pragma once
#include <filesystem>
#include <string>

namespace eclat {

// Creates a fresh run directory (a suffix keeps two runs of the same second
// apart) and points <results>/<name>/latest at it.
std::filesystem::path create_run_directory(const std::string& results, const std::string& name);

// RUN_DIR may be a run directory, a `latest` symlink, or a test directory
// (its latest run). Returns the history file to check.
std::filesystem::path history_path_of(const std::filesystem::path& arg);

}  // namespace eclat
