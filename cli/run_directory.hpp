// The run directory: results/<test-name>/<YYYYmmddTHHMMSSZ>/ and a `latest`
// symlink beside it, made only once the input is known to be good.
#pragma once
#include <filesystem>
#include <optional>
#include <string>

namespace eclat {

// Creates a fresh run directory (a suffix keeps two runs of the same second
// apart) and points <results>/<name>/latest at it.
std::filesystem::path create_run_directory(const std::string& results, const std::string& name);

// RUN_DIR may be a run directory, a `latest` symlink, or a test directory
// (its latest run), Éclat's or a Jepsen store's (history.edn). Returns the
// history file to check.
std::filesystem::path history_path_of(const std::filesystem::path& arg);

// Why a re-check of this run directory can be at best unknown, from what the
// run itself recorded: no results.json (it was killed, or is still running:
// its history is partial), or a results.json saying the run was interrupted,
// never healed, never quiet, or failed. nullopt for a run that finished
// cleanly. BadInput naming the file when results.json is not a JSON object.
std::optional<std::string> run_state_caveat(const std::filesystem::path& run_dir);

}  // namespace eclat
