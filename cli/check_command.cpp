// eclat check RUN_DIR | HISTORY_FILE: re-checks a stored history (a finished
// run, the partial history of a killed one, or a Jepsen history) with the
// checkers its scenario.json names, or those given with --checker, or the
// linearizability checker with --model.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

#include "checker/checker.hpp"
#include "checker/linearizability/formats.hpp"
#include "checker/linearizability/linearizable.hpp"
#include "checker/linearizability/model.hpp"
#include "cli/commands.hpp"
#include "cli/jepsen_store.hpp"
#include "cli/run_directory.hpp"
#include "cli/summary.hpp"
#include "cli/why_failed.hpp"
#include "cluster/system.hpp"
#include "core/errors.hpp"
#include "core/flags.hpp"
#include "core/invocation.hpp"
#include "core/json_input.hpp"
#include "core/json_output.hpp"
#include "core/log.hpp"
#include "history/edn_reader.hpp"
#include "history/independent.hpp"
#include "workloads/workload.hpp"

namespace eclat {

namespace {
const char* kUsage =
    "usage: eclat check RUN_DIR | JEPSEN_STORE_DIR | HISTORY_FILE [--checker NAME]...\n"
    "                   [--model NAME] [--initial VALUE] [--independent] [--nil-reads-unknown]\n"
    "                   [--format jsonl|edn|porcupine-log] [--time-limit S] [--threads N]\n"
    "                   [--memory-limit MB] [--one-partition] [--out DIR]\n"
    "\n"
    "Re-checks a stored history and prints the verdict. The checkers are the ones\n"
    "given (--checker, --model), else those of the run's scenario.json, else the set\n"
    "workload's when the history holds adds. A Jepsen store directory (store/<test>/<time>/\n"
    "or store/<test>/latest) is read from its history.edn, and Jepsen's own verdict\n"
    "(results.edn) is shown beside Eclat's.\n"
    "\n"
    "  --model NAME      check linearizability against a model (implies the\n"
    "                    linearizable checker): %s\n"
    "  --initial VALUE   the model's state before the first operation, in JSON or\n"
    "                    EDN: 0 (every register), {:x 0 :y 0} (multi-register),\n"
    "                    [1 2] (a queue or set); default: the model's (nil, empty)\n"
    "  --independent     values are jepsen.independent's [key value] tuples: each\n"
    "                    key is its own object, checked alone\n"
    "  --nil-reads-unknown  a read that returned nil says nothing, as Knossos's\n"
    "                    register models read it (default: nil is a value, so a\n"
    "                    lost write read back as nil is caught)\n"
    "  --format F        the history's format, else detected from its content:\n"
    "                    jsonl (Eclat), edn (Jepsen and Knossos: maps or\n"
    "                    #jepsen.history.Op records, one per line, in a vector or a list),\n"
    "                    porcupine-log (the text logs of Porcupine's test data)\n"
    "  --time-limit S    give up the search after S seconds: verdict unknown\n"
    "  --threads N       search independent keys on N threads (default: all cores)\n"
    "  --memory-limit MB the search's memory budget (default: half of what is\n"
    "                    available); exhausted: verdict unknown, never a crash\n"
    "  --one-partition   do not split the history by key (the search still\n"
    "                    reorders operations on different keys freely)\n"
    "  --out DIR         write results.json and the pictures (counterexample\n"
    "                    drawings, plots, timeline) into DIR, created if missing.\n"
    "                    Without it, check writes nothing anywhere: a run\n"
    "                    directory stays byte for byte as the run left it\n"
    "Exit: 0 valid, 1 invalid, 2 unknown, 3 bad input.\n";

// A number within [min, max]: a thread count of 0 or 1e30, a memory budget
// of 1e300 MB are refused, not cast into nonsense.
double number_flag(const std::string& flag, const std::string& v, double min, double max) {
  double d = 0;
  try {
    size_t used = 0;
    d = std::stod(v, &used);
    if (used != v.size() || !std::isfinite(d)) throw std::invalid_argument(v);
  } catch (const std::exception&) {
    throw BadInput(flag + " needs a number, got \"" + v + "\"");
  }
  if (d < min || d > max) {
    std::ostringstream m;
    m << flag << " " << v << ": must be between " << min << " and " << max;
    throw BadInput(m.str());
  }
  return d;
}
int64_t integer_flag(const std::string& flag, const std::string& v, int64_t min, int64_t max) {
  const double d = number_flag(flag, v, static_cast<double>(min), static_cast<double>(max));
  if (d != std::floor(d)) throw BadInput(flag + " " + v + ": not a whole number");
  return static_cast<int64_t>(d);
}
// --initial: JSON first (what an Éclat history writes), else EDN (Jepsen's
// {:x 0 :y 0}); "in the history's syntax" either way.
nlohmann::json initial_value(const std::string& text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
  }
  try {
    return parse_edn(text);
  } catch (const EdnError& e) {
    throw BadInput("--initial " + text + ": neither JSON nor EDN (" + e.message + " at column " +
                   std::to_string(e.column) + ")");
  }
}
// The beginning of a file (enough to tell its format).
std::string first_line(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw BadInput("cannot read history " + file.string());
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  return head;
}
}  // namespace

int check_command(const std::vector<std::string>& args) {
  std::string target, model, out;
  std::optional<std::string> initial_text;
  bool independent = false;
  std::optional<lin::HistoryFormat> format;
  std::vector<std::string> checkers;
  nlohmann::json lin_cfg = nlohmann::json::object();
  auto value = [&](size_t& i, const char* what) -> const std::string& {
    if (i + 1 >= args.size()) throw BadInput(args[i] + " needs " + what);
    return args[++i];
  };
  refuse_repeated_flags(args, {"--checker"});
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--help" || a == "-h") {
      std::string models;
      for (const auto& m : lin::model_names()) models += (models.empty() ? "" : ", ") + m;
      printf(kUsage, models.c_str());
      return kExitValid;
    } else if (a == "--checker") {
      checkers.push_back(value(i, "a NAME"));
    } else if (a == "--model") {
      model = value(i, "a NAME");
      lin::make_model(model);  // a bad name exits 3 before anything is read
    } else if (a == "--initial") {
      initial_text = value(i, "a VALUE (JSON or EDN)");
    } else if (a == "--independent") {
      independent = true;
    } else if (a == "--nil-reads-unknown") {
      lin_cfg["nil-reads-unknown"] = true;
    } else if (a == "--format") {
      format = lin::history_format_from_string(value(i, "jsonl, edn or porcupine-log"));
    } else if (a == "--time-limit") {
      lin_cfg["time-limit"] = number_flag(a, value(i, "SECONDS"), 0, 1e9);
    } else if (a == "--threads") {
      lin_cfg["threads"] = static_cast<unsigned>(integer_flag(a, value(i, "N"), 1, 1024));
    } else if (a == "--memory-limit") {
      lin_cfg["memory-limit-mb"] = integer_flag(a, value(i, "MB"), 1, int64_t{1} << 30);
    } else if (a == "--one-partition") {
      lin_cfg["split"] = false;
    } else if (a == "--out") {
      out = value(i, "a DIR");
    } else if (a.rfind("--", 0) == 0) {
      throw unknown_flag(a, kUsage, "check");
    } else if (target.empty()) {
      target = a;
    } else {
      throw BadInput("check takes one RUN_DIR or HISTORY_FILE, got also \"" + a + "\"");
    }
  }
  if (target.empty()) throw BadInput("check needs a RUN_DIR or HISTORY_FILE (see eclat check --help)");
  if (!out.empty()) check_writable_dir(out, "--out");  // before the check, not after its work

  nlohmann::json initial;
  if (initial_text) {
    initial = initial_value(*initial_text);
    lin_cfg["initial"] = initial;
    if (!model.empty()) lin::make_model(model, initial);  // refused before anything is read
  }

  const auto history_file = history_path_of(target);
  const auto run_dir = history_file.parent_path();
  // A run directory's scenario.json is read as a scenario: a wrong type or
  // an unknown key is bad input naming the file, like --scenario.
  nlohmann::json scenario = nlohmann::json::object();
  TestConfig recorded;
  const bool has_scenario = std::filesystem::exists(run_dir / "scenario.json");
  if (has_scenario) {
    const std::string file = (run_dir / "scenario.json").string();
    scenario = read_json_file(file, size_t{1} << 20, 64);
    apply_scenario(recorded, scenario, file);
  }
  // Read when a checker needs the operations; set-full reads a JSON Lines
  // file its own leaner way (a 10M-operation history in seconds).
  HistorySource source(
      history_file,
      [format, independent](const std::filesystem::path& p) {
        ReadResult r = lin::read_any_history(p, format);
        if (independent) unpack_independent(r, p.string());
        return r;
      },
      !independent && format.value_or(lin::detect_format(first_line(history_file))) == lin::HistoryFormat::jsonl);

  if (!model.empty()) {
    // --model: the linearizable checker, with these settings over the scenario's.
    if (!scenario.is_object()) scenario = nlohmann::json::object();
    nlohmann::json cfg = scenario.value("linearizable", nlohmann::json::object());
    if (!cfg.is_object()) cfg = nlohmann::json::object();
    cfg["model"] = model;
    for (auto& [k, v] : lin_cfg.items()) cfg[k] = v;
    scenario["linearizable"] = cfg;
    if (std::find(checkers.begin(), checkers.end(), "linearizable") == checkers.end())
      checkers.push_back("linearizable");
    // Every operation must be one the model knows: say which line is not.
    std::vector<std::string> where;
    auto ops = lin::pair_operations(source.ops(), source.lines(), history_file.string(), &where);
    lin::validate_operations(ops, model, where, initial);
  } else if (!lin_cfg.empty()) {
    if (!scenario.is_object()) scenario = nlohmann::json::object();
    nlohmann::json cfg = scenario.value("linearizable", nlohmann::json::object());
    if (!cfg.is_object()) cfg = nlohmann::json::object();
    for (auto& [k, v] : lin_cfg.items()) cfg[k] = v;
    scenario["linearizable"] = cfg;
  }

  if (checkers.empty()) checkers = recorded.checkers;
  if (checkers.empty() && has_scenario && scenario.contains("workload"))
    checkers = make_workload(recorded)->default_checkers();
  if (checkers.empty()) {
    for (const Op& op : source.ops())
      if (op.f == "add") {
        TestConfig cfg;
        checkers = make_workload(cfg)->default_checkers();
        break;
      }
  }
  if (checkers.empty() && source.ops().empty()) {
    // Nothing to judge, and nothing to say which judge: unknown, not a
    // complaint about the input (a run killed before its first operation).
    nlohmann::json results = {{"valid", "unknown"},
                               {"error", history_file.string() + " holds no operation"},
                               {"checkers", nlohmann::json::object()}};
    print_summary(results, out, history_file);
    return exit_code(Verdict::unknown);
  }
  if (checkers.empty()) throw BadInput(history_file.string() + ": cannot tell which checker applies; give --checker NAME or --model NAME");
  for (const auto& c : checkers) make_checker(c);
  if (std::find(checkers.begin(), checkers.end(), "linearizable") == checkers.end())
    for (const char* flag : {"initial", "nil-reads-unknown"})
      if (lin_cfg.contains(flag))
        throw BadInput(std::string("--") + flag +
                       " is the linearizable checker's setting, and it does not run here: give --model NAME");

  // A re-check writes only where it is told (--out): a run directory is
  // the record of what the run saw, and a history file's folder (a Jepsen
  // store, a shared log) is not ours. Without --out the checkers that only
  // draw are skipped, and the others draw nothing.
  std::filesystem::path out_dir = out;
  std::vector<std::string> skipped;
  if (out_dir.empty()) {
    std::vector<std::string> judging;
    for (const auto& c : checkers) {
      const PartInfo* info = catalog().find(PartKind::checker, c);
      (info && info->draws ? skipped : judging).push_back(c);
    }
    checkers = judging;
  } else {
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    if (ec) throw BadInput("--out " + out + ": cannot create it: " + ec.message());
  }
  CheckContext ctx{source, scenario, out_dir};
  nlohmann::json results = run_checkers(checkers, ctx);
  // A re-check knows what the run knew: an interrupted, unhealed or killed
  // run is at best unknown, whatever its partial history looks like.
  if (has_scenario && history_file.filename() == "history.jsonl") {
    if (auto caveat = run_state_caveat(run_dir)) {
      results["valid"] = verdict_json(worst(verdict_from_json(results["valid"]), Verdict::unknown));
      results["error"] = *caveat;
    }
  }
  if (source.truncated_tail()) {
    ECLAT_LOG(warn, "check") << history_file.string()
                             << ": the last line is cut short (the run was killed); it is skipped";
    results["truncated_tail"] = true;
  }
  if (auto jepsen = jepsen_verdict(history_file)) results["jepsen"] = *jepsen;
  for (const auto& [name, c] : results["checkers"].items())
    if (c.contains("counterexample_text")) printf("%s", c["counterexample_text"].get<std::string>().c_str());

  // Why it failed, placed by the recorded system when there is one. Only
  // then are the operations read (a valid 10M-operation set history is
  // judged by set-full's lean reader alone).
  const bool failed = verdict_from_json(results["valid"]) != Verdict::valid;
  std::unique_ptr<System> system;
  if (failed && has_scenario && scenario.contains("system")) {
    try {
      system = make_system(recorded);
    } catch (const std::exception&) {  // a system this build lacks: no placement, still a block
    }
  }
  std::vector<std::string> reproduce;
  if (has_scenario && std::filesystem::exists(run_dir / "faults.jsonl"))
    reproduce.push_back("eclat replay " + shell_quote({run_dir.string()}) + "   (same seed, the recorded faults at the same times)");
  reproduce.push_back(shell_quote(command_line()));
  if (failed) {
    WhyInput why_in{results, source.ops(), out_dir, system.get(), reproduce};
    if (nlohmann::json why = why_failed(why_in); !why.is_null()) results["why"] = why;
  }

  if (!out_dir.empty()) {
    const auto file = out_dir / "results.json";
    write_json_file(file, results);
  }
  print_summary(results, out_dir, history_file);
  if (!skipped.empty()) {
    std::string names;
    for (const auto& c : skipped) names += (names.empty() ? "" : ", ") + c;
    printf("not drawn: %s (eclat check writes only with --out DIR)\n", names.c_str());
  }
  return exit_code(verdict_from_json(results["valid"]));
}

}  // namespace eclat
