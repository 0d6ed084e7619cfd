// eclat: the command-line entry point. Maps errors onto exit codes:
// bad input 3, harness failure 4 (a verdict is 0, 1 or 2).
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "core/errors.hpp"
#include "core/flags.hpp"
#include "core/invocation.hpp"
#include "core/version.hpp"
#include "core/log.hpp"

namespace {
const char* kUsage =
    "usage: eclat <command> [options]\n"
    "\n"
    "commands:\n"
    "  test      run a chaos test in a private lab (eclat test --help)\n"
    "  replay    run a recorded run again: same seed, same faults at the same times\n"
    "            (eclat replay --help)\n"
    "  check     re-check a stored run or history (eclat check --help)\n"
    "  export    write a stored history as Jepsen EDN (eclat export --help)\n"
    "  suite     run scenario files and compare their verdicts (eclat suite --help)\n"
    "  cleanup   remove anything a crashed run could have left on this host\n"
    "  diff      two runs side by side: verdicts, counts, fault schedules\n"
    "  log       a run's logs merged on its time base (eclat log --help)\n"
    "  serve     browse every run and suite in a browser (eclat serve --help)\n"
    "  list      what is registered: systems, workloads, nemeses, checkers, bugs, settings\n"
    "\n"
    "  eclat --version   the version and the commit it was built from\n"
    "flags take a value as --flag VALUE or --flag=VALUE\n"
    "\n"
    "exit codes: 0 valid, 1 invalid, 2 unknown, 3 bad input, 4 harness failure\n";
}

int main(int argc, char** argv) {
  eclat::set_command_line(argc, argv);
  eclat::run_identity();  // the start time is taken now
  std::vector<std::string> args = eclat::split_flag_values({argv + 1, argv + argc});
  if (!args.empty() && args[0] == "--version") {
    printf("eclat %s (commit %s)\n", eclat::version(), eclat::commit());
    return eclat::kExitValid;
  }
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    printf("%s", kUsage);
    return args.empty() ? eclat::kExitBadInput : eclat::kExitValid;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  try {
    if (command == "test") return eclat::test_command(args);
    if (command == "check") return eclat::check_command(args);
    if (command == "cleanup") return eclat::cleanup_command(args);
    if (command == "suite") return eclat::suite_command(args);
    if (command == "export") return eclat::export_command(args);
    if (command == "replay") return eclat::replay_command(args);
    if (command == "list") return eclat::list_command(args);
    if (command == "log") return eclat::log_command(args);
    if (command == "diff") return eclat::diff_command(args);
    if (command == "serve") return eclat::serve_command(args);
    const std::string near = eclat::closest_name(
        command, {"test", "replay", "check", "export", "suite", "cleanup", "list", "log", "diff", "serve"});
    fprintf(stderr, "eclat: unknown command \"%s\"%s\n%s", command.c_str(),
            near.empty() ? "" : (" (did you mean " + near + "?)").c_str(), kUsage);
    return eclat::kExitBadInput;
  } catch (const eclat::BadInput& e) {
    fprintf(stderr, "eclat %s: %s\n", command.c_str(), e.what());
    return eclat::kExitBadInput;
  } catch (const eclat::HarnessError& e) {
    ECLAT_LOG(error, "eclat") << e.what();
    return eclat::kExitHarness;
  } catch (const std::exception& e) {
    ECLAT_LOG(error, "eclat") << "internal error: " << e.what();
    return eclat::kExitHarness;
  }
}
