// eclat replay RUN_DIR [--results DIR]: runs a recorded run again, same
// scenario and seed (so every worker gets the same client operations), and
// instead of the random nemesis and the triggers plays the faults the run
// recorded in faults.jsonl: each at its offset from the start of the main
// phase, each start with its recorded value as the plan (same targets). The
// new run directory (results/<name>-replay/...) has replay.json naming the
// run it replays.
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/replay_plan.hpp"
#include "core/errors.hpp"
#include "core/flags.hpp"

namespace eclat {

namespace {
const char* kReplayUsage =
    "usage: eclat replay RUN_DIR [--results DIR]\n"
    "\n"
    "Runs RUN_DIR's scenario again with the same seed (the same client operations\n"
    "per worker) and plays the faults it recorded (RUN_DIR/faults.jsonl) at the\n"
    "same offsets, with the same targets, instead of a random nemesis. The replay\n"
    "goes to DIR/<name>-replay/ (default: the scenario's results directory) and\n"
    "its replay.json names RUN_DIR, and the original verdict is printed beside\n"
    "the replay's. Exit codes as eclat test.\n";
}

int replay_command(const std::vector<std::string>& args) {
  std::string run_dir, results;
  refuse_repeated_flags(args);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      printf("%s", kReplayUsage);
      return kExitValid;
    } else if (a == "--results") {
      if (i + 1 >= args.size()) throw BadInput("--results needs a DIR");
      results = args[++i];
      if (results.empty()) throw BadInput("--results: empty path");
    } else if (a.rfind("--", 0) == 0) {
      throw unknown_flag(a, kReplayUsage, "replay");
    } else if (run_dir.empty()) {
      run_dir = a;
    } else {
      throw BadInput("one RUN_DIR only, got \"" + run_dir + "\" and \"" + a + "\"");
    }
  }
  if (run_dir.empty()) throw BadInput(std::string("needs a RUN_DIR\n") + kReplayUsage);
  ReplayPlan plan = load_replay_plan(run_dir);
  TestConfig cfg = plan.cfg;
  if (!results.empty()) cfg.results = results;
  cfg.name += "-replay";
  validate_common(cfg);
  return run_test(cfg, &plan);
}

}  // namespace eclat
