// eclat log RUN_DIR [--node NAME] [--around S] [--window W]: every log of a
// run merged on the run's time base (cli/merged_log.hpp says how each line
// is placed), printed.
#include <cmath>
#include <cstdio>
#include <optional>

#include "cli/commands.hpp"
#include "cli/merged_log.hpp"
#include "core/errors.hpp"
#include "core/flags.hpp"

namespace eclat {
namespace {

namespace fs = std::filesystem;

const char* kLogUsage =
    "usage: eclat log RUN_DIR [--node NAME] [--around SECONDS] [--window SECONDS]\n"
    "\n"
    "Prints every log of the run on one time base, the run's seconds (as in the\n"
    "history, the plots and faults.jsonl's run_s): eclat.log, the faults, and\n"
    "each node's and coordinator's own logs, with the markers the harness wrote\n"
    "into them when it started, killed, stopped, paused or resumed a process.\n"
    "\n"
    "  --node NAME       only that process's logs (and the faults)\n"
    "  --around S        only the lines within --window seconds of run second S\n"
    "  --window W        half-width of --around's window (default 5)\n"
    "Exit: 0, 3 bad input.\n";

double seconds_flag(const std::string& flag, const std::string& v) {
  try {
    size_t used = 0;
    const double d = std::stod(v, &used);
    if (used == v.size() && std::isfinite(d) && d >= 0) return d;
  } catch (const std::exception&) {
  }
  throw BadInput(flag + " needs a number of seconds >= 0, got \"" + v + "\"");
}

}  // namespace

int log_command(const std::vector<std::string>& args) {
  std::string run, node;
  std::optional<double> around;
  double window = 5;
  refuse_repeated_flags(args);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw BadInput(a + " needs a value");
      return args[++i];
    };
    if (a == "--help" || a == "-h") {
      printf("%s", kLogUsage);
      return kExitValid;
    } else if (a == "--node") {
      node = value();
    } else if (a == "--around") {
      around = seconds_flag(a, value());
    } else if (a == "--window") {
      window = seconds_flag(a, value());
    } else if (a.rfind("--", 0) == 0) {
      throw unknown_flag(a, kLogUsage, "log");
    } else if (run.empty()) {
      run = a;
    } else {
      throw BadInput("log takes one RUN_DIR, got also \"" + a + "\"");
    }
  }
  if (run.empty()) throw BadInput("log needs a RUN_DIR (see eclat log --help)");
  const fs::path dir(run);
  if (!fs::is_directory(dir) || !fs::exists(dir / "history.jsonl"))
    throw BadInput(run + ": not a run directory (no history.jsonl)");

  const MergedLog log = merged_log(dir, node);
  for (const auto& l : log.lines) {
    if (around && std::fabs(l.t - *around) > window) continue;
    printf("%9.3f%s %-6s | %s\n", l.t, l.approximate ? "~" : " ", l.source.c_str(), l.text.c_str());
  }
  return kExitValid;
}

}  // namespace eclat
