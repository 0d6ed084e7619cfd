// eclat log RUN_DIR [--node NAME] [--around S] [--window W]: every log of a
// run merged on the run's time base (core/run_clock.hpp): eclat.log, the
// fault log (faults.jsonl's run_s) and each process's own logs
// (<kind>/<name>/*.log, e.g. nodes/n1/stderr.log).
//
// A process's log counts from its own (re)start: a line beginning with a
// number of seconds (the log format of Éclat's own binaries) is placed at
// the run time of the harness's latest "starting" marker in that log
// (cluster/process.hpp) plus that number; any other line takes the time of
// the line before it. Lines of a log without markers (a run made before
// markers existed) are shown at their own count, flagged "~".
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <regex>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cluster/process.hpp"
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

struct Line {
  double t = 0;
  bool approximate = false;
  std::string source, text;
};

double seconds_flag(const std::string& flag, const std::string& v) {
  try {
    size_t used = 0;
    const double d = std::stod(v, &used);
    if (used == v.size() && std::isfinite(d) && d >= 0) return d;
  } catch (const std::exception&) {
  }
  throw BadInput(flag + " needs a number of seconds >= 0, got \"" + v + "\"");
}

// A leading "   12.345 " (Éclat's log format), or nullopt.
std::optional<double> leading_seconds(const std::string& line) {
  static const std::regex kHead(R"(^\s*(\d+\.\d+)\s)");
  std::smatch m;
  if (!std::regex_search(line, m, kHead)) return std::nullopt;
  return std::stod(m[1].str());
}

// One process log: markers say where its own count starts on the run's.
void read_process_log(const fs::path& file, const std::string& source, std::vector<Line>& out) {
  std::ifstream in(file);
  static const std::regex kMarker(std::string("^") + kNodeLogMarker + R"( run (\d+\.\d+) s)");
  std::optional<double> base;
  double last = 0;
  bool last_approx = true;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    Line l{0, false, source, line};
    if (std::regex_search(line, m, kMarker)) {
      l.t = std::stod(m[1].str());
      if (line.find(": starting (start #") != std::string::npos) base = l.t;
    } else if (auto own = leading_seconds(line)) {
      l.t = (base ? *base : 0) + *own;
      l.approximate = !base;
    } else {
      l.t = last;
      l.approximate = last_approx;
    }
    last = l.t;
    last_approx = l.approximate;
    out.push_back(std::move(l));
  }
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

  std::vector<Line> lines;
  std::vector<std::string> names;
  // Process logs: <kind>/<name>/*.log.
  std::error_code ec;
  for (const auto& kind : fs::directory_iterator(dir, ec)) {
    if (!kind.is_directory()) continue;
    for (const auto& proc : fs::directory_iterator(kind.path(), ec)) {
      if (!proc.is_directory()) continue;
      const std::string name = proc.path().filename().string();
      bool has_log = false;
      for (const auto& f : fs::directory_iterator(proc.path(), ec)) {
        if (f.path().extension() != ".log") continue;
        has_log = true;
        if (node.empty() || node == name) read_process_log(f.path(), name, lines);
      }
      if (has_log) names.push_back(name);
    }
  }
  if (!node.empty() && std::find(names.begin(), names.end(), node) == names.end()) {
    std::string known;
    for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
    throw BadInput("--node " + node + ": no such process in " + run + " (" + (known.empty() ? "none" : known) + ")");
  }
  if (node.empty()) {
    std::ifstream in(dir / "eclat.log");
    double last = 0;
    for (std::string line; std::getline(in, line);) {
      std::string text = line;
      if (auto t = leading_seconds(line)) {  // its count is the run's: shown once
        last = *t;
        text = line.substr(line.find_first_not_of(' '));
        text = text.substr(std::min(text.size(), text.find(' ') + 1));
      }
      lines.push_back({last, false, "eclat", text});
    }
  }
  {
    std::ifstream in(dir / "faults.jsonl");
    for (std::string line; std::getline(in, line);) {
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_object() || !j.contains("run_s") || !j["run_s"].is_number()) continue;
      std::string text = j.value("f", "?") + " " + j.value("value", nlohmann::json()).dump();
      if (j.contains("error")) text += " error: " + j["error"].get<std::string>();
      lines.push_back({j["run_s"].get<double>(), false, "fault", text + "  [" + j.value("utc", "") + "]"});
    }
  }
  std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.t < b.t; });
  for (const auto& l : lines) {
    if (around && std::fabs(l.t - *around) > window) continue;
    printf("%9.3f%s %-6s | %s\n", l.t, l.approximate ? "~" : " ", l.source.c_str(), l.text.c_str());
  }
  return kExitValid;
}

}  // namespace eclat
