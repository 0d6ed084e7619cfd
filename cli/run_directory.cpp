#include "cli/run_directory.hpp"

#include <ctime>
#include <system_error>

#include "core/errors.hpp"

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
    if (fs::exists(arg / "history.jsonl")) return arg / "history.jsonl";
    if (fs::exists(arg / "latest" / "history.jsonl")) return arg / "latest" / "history.jsonl";
    throw BadInput(arg.string() + ": no history.jsonl in this directory");
  }
  throw BadInput(arg.string() + ": no such run directory or history file");
}

}  // namespace eclat
