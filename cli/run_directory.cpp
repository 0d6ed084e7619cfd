#include "cli/run_directory.hpp"

#include <ctime>
#include <fstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "core/json_input.hpp"

namespace eclat {

std::filesystem::path create_run_directory(const std::string& results, const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path test_dir = fs::path(results) / name;
  std::error_code ec;
  fs::create_directories(test_dir, ec);
  if (ec) throw HarnessError("cannot create " + test_dir.string() + ": " + ec.message());
  char stamp[32];
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  fs::path dir;
  for (int i = 0;; ++i) {
    dir = test_dir / (i == 0 ? std::string(stamp) : std::string(stamp) + "-" + std::to_string(i));
    if (fs::create_directory(dir, ec)) break;
    if (ec) throw HarnessError("cannot create " + dir.string() + ": " + ec.message());
  }
  // Swap the symlink atomically: a reader never sees `latest` missing.
  const fs::path tmp = test_dir / ".latest.tmp";
  fs::remove(tmp, ec);
  fs::create_directory_symlink(dir.filename(), tmp, ec);
  if (!ec) fs::rename(tmp, test_dir / "latest", ec);
  return dir;
}

std::filesystem::path history_path_of(const std::filesystem::path& arg) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_regular_file(arg, ec)) return arg;
  if (fs::is_directory(arg, ec)) {
    // Éclat's run directories, then Jepsen's store (store/<test>/<time>/
    // holds history.edn; store/<test>/latest and store/latest link to one).
    for (const char* name : {"history.jsonl", "history.edn"}) {
      if (fs::exists(arg / name)) return arg / name;
      if (fs::exists(arg / "latest" / name)) return arg / "latest" / name;
    }
    throw BadInput(arg.string() + ": no history.jsonl (Éclat) or history.edn (Jepsen) in this directory");
  }
  throw BadInput(arg.string() + ": no such run directory or history file");
}

std::optional<std::string> run_state_caveat(const std::filesystem::path& run_dir) {
  const auto file = run_dir / "results.json";
  std::error_code ec;
  if (!std::filesystem::exists(file, ec))
    return "the run never finished (no results.json: it was killed, or is still running), so its history is partial";
  const nlohmann::json r = read_json_file(file);
  if (!r.is_object()) throw BadInput(file.string() + ": expected a JSON object");
  const nlohmann::json run = r.value("run", nlohmann::json::object());
  if (!run.is_object()) throw BadInput(file.string() + ": \"run\" must be an object");
  auto flag = [](const nlohmann::json& o, const char* key, bool otherwise) {
    auto it = o.find(key);
    return it != o.end() && it->is_boolean() ? it->get<bool>() : otherwise;
  };
  if (flag(run, "interrupted", false))
    return "the run was interrupted by a signal (its main phase ended early and its final read was skipped)";
  if (run.contains("healed") && run["healed"].is_object() && !flag(run["healed"], "healed", true))
    return "the run's lab was not fully healed before its final read";
  if (!flag(run, "quiescent", true)) return "the cluster never became quiescent after the heal";
  if (!r.contains("run")) {
    std::string error = r.contains("error") && r["error"].is_string() ? r["error"].get<std::string>() : "";
    return "the run failed before its checks" + (error.empty() ? std::string() : ": " + error);
  }
  return std::nullopt;
}

}  // namespace eclat
