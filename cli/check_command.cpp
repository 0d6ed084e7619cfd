// eclat check RUN_DIR | HISTORY_FILE: re-checks a stored history (a finished
// run, or the partial history of a killed one) with the checkers its
// scenario.json names, or those given with --checker.
#include <cstdio>
#include <fstream>

#include "checker/checker.hpp"
#include "cli/commands.hpp"
#include "cli/run_directory.hpp"
#include "cli/summary.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "workloads/workload.hpp"

namespace eclat {

namespace {
const char* kUsage =
    "usage: eclat check RUN_DIR | HISTORY_FILE [--checker NAME]...\n"
    "\n"
    "Re-checks a stored history (JSON Lines) and prints the verdict. The\n"
    "checkers are those of the run's scenario.json, else those of the set\n"
    "workload when the history holds adds, else the ones given.\n"
    "Exit: 0 valid, 1 invalid, 2 unknown, 3 bad input.\n";
}

int check_command(const std::vector<std::string>& args) {
  std::string target;
  std::vector<std::string> checkers;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--help" || a == "-h") {
      printf("%s", kUsage);
      return kExitValid;
    } else if (a == "--checker") {
      if (i + 1 >= args.size()) throw BadInput("--checker needs a NAME");
      checkers.push_back(args[++i]);
    } else if (a.rfind("--", 0) == 0) {
      throw BadInput("unknown flag \"" + a + "\" (see eclat check --help)");
    } else if (target.empty()) {
      target = a;
    } else {
      throw BadInput("check takes one RUN_DIR or HISTORY_FILE, got also \"" + a + "\"");
    }
  }
  if (target.empty()) throw BadInput("check needs a RUN_DIR or HISTORY_FILE (see eclat check --help)");

  const auto history_file = history_path_of(target);
  const auto run_dir = history_file.parent_path();
  nlohmann::json scenario = nlohmann::json::object();
  if (std::ifstream in(run_dir / "scenario.json"); in) {
    try {
      scenario = nlohmann::json::parse(in);
    } catch (const std::exception& e) {
      throw BadInput((run_dir / "scenario.json").string() + ": not valid JSON: " + e.what());
    }
  }
  ReadResult read = read_history(history_file);
  if (read.truncated_tail)
    ECLAT_LOG(warn, "check") << history_file.string()
                             << ": the last line is cut short (the run was killed); it is skipped";

  if (checkers.empty() && scenario.contains("checkers") && scenario["checkers"].is_array()) {
    for (const auto& c : scenario["checkers"]) checkers.push_back(c.get<std::string>());
  }
  if (checkers.empty() && scenario.contains("workload")) {
    TestConfig cfg;
    cfg.workload = scenario["workload"].get<std::string>();
    checkers = make_workload(cfg)->default_checkers();
  }
  if (checkers.empty()) {
    for (const Op& op : read.history)
      if (op.f == "add") {
        TestConfig cfg;
        checkers = make_workload(cfg)->default_checkers();
        break;
      }
  }
  if (checkers.empty()) throw BadInput(history_file.string() + ": cannot tell which checker applies; give --checker NAME");
  for (const auto& c : checkers) make_checker(c);

  CheckContext ctx{read.history, scenario, run_dir};
  nlohmann::json results = run_checkers(checkers, ctx);
  if (read.truncated_tail) results["truncated_tail"] = true;
  print_summary(results, run_dir);
  return exit_code(verdict_from_json(results["valid"]));
}

}  // namespace eclat
