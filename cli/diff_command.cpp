// eclat diff RUN_A RUN_B: two runs side by side, what a person compares
// first when a replay or a second seed disagrees with the original: the
// verdicts (overall and per checker), the counts each checker reported, and
// the fault schedules (which fault, on whom, when). Exit 0 when the verdicts
// agree, 1 when they differ, 3 for bad input.
#include <cmath>
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "core/errors.hpp"
#include "core/flags.hpp"
#include "core/json_input.hpp"
#include "history/verdict.hpp"
#include "nemesis/fault_log.hpp"

namespace eclat {
namespace {

namespace fs = std::filesystem;

const char* kDiffUsage =
    "usage: eclat diff RUN_A RUN_B\n"
    "\n"
    "Compares two run directories (an original and its replay, two seeds of one\n"
    "scenario): verdicts overall and per checker, the counts the checkers\n"
    "reported, and the fault schedules (fault, targets, start times; starts more\n"
    "than 0.5 s apart are flagged).\n"
    "Exit: 0 the verdicts agree, 1 they differ, 3 bad input.\n";

struct Run {
  fs::path dir;
  nlohmann::json results, scenario;
  std::vector<FaultRecord> faults;
};

Run load(const std::string& arg) {
  Run r;
  r.dir = arg;
  if (!fs::is_regular_file(r.dir / "results.json"))
    throw BadInput(arg + ": not a finished run directory (no results.json)");
  r.results = read_json_file((r.dir / "results.json").string(), size_t{64} << 20, 256);
  if (fs::exists(r.dir / "scenario.json")) r.scenario = read_json_file((r.dir / "scenario.json").string(), size_t{1} << 20, 64);
  if (fs::exists(r.dir / "faults.jsonl")) r.faults = read_fault_log(r.dir / "faults.jsonl");
  return r;
}

std::string verdict_of(const nlohmann::json& j) {
  return j.is_object() && j.contains("valid") ? verdict_word(verdict_from_json(j["valid"])) : "-";
}

std::string targets(const nlohmann::json& v) {
  if (!v.is_object()) return {};
  for (const char* k : {"nodes", "isolated", "node"})
    if (v.contains(k)) return v[k].dump();
  return {};
}

}  // namespace

int diff_command(const std::vector<std::string>& args) {
  std::vector<std::string> dirs;
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      printf("%s", kDiffUsage);
      return kExitValid;
    }
    if (a.rfind("--", 0) == 0) throw unknown_flag(a, kDiffUsage, "diff");
    dirs.push_back(a);
  }
  if (dirs.size() != 2) throw BadInput("diff takes two run directories (see eclat diff --help)");
  const Run a = load(dirs[0]), b = load(dirs[1]);

  int differences = 0;
  auto row = [&](const std::string& what, const std::string& x, const std::string& y, bool counts = true) {
    const bool same = x == y;
    if (!same && counts) ++differences;
    printf("  %-34s %-22s %-22s %s\n", what.c_str(), x.c_str(), y.c_str(), same ? "" : "DIFFERENT");
  };
  printf("A: %s\nB: %s\n", a.dir.string().c_str(), b.dir.string().c_str());
  // x is a replay of y when x's replay.json names y.
  for (const auto& [x, y, says] : {std::tuple{&b, &a, "B is a replay of A"}, std::tuple{&a, &b, "A is a replay of B"}}) {
    std::ifstream in(x->dir / "replay.json");
    nlohmann::json rp = nlohmann::json::parse(in, nullptr, false);
    if (rp.is_object() && rp.contains("replay_of") && rp["replay_of"].is_string() &&
        fs::weakly_canonical(rp["replay_of"].get<std::string>()) == fs::weakly_canonical(y->dir))
      printf("%s\n", says);
  }
  printf("\n  %-34s %-22s %-22s\n", "", "A", "B");
  row("verdict", verdict_of(a.results), verdict_of(b.results));
  const auto seed = [](const Run& r) { return r.scenario.contains("seed") ? r.scenario["seed"].dump() : "-"; };
  row("seed", seed(a), seed(b), false);

  // Per checker: its verdict, then every count it reported.
  const nlohmann::json ca = a.results.value("checkers", nlohmann::json::object());
  const nlohmann::json cb = b.results.value("checkers", nlohmann::json::object());
  nlohmann::json names = nlohmann::json::object();
  for (const auto& [n, _] : ca.items()) names[n] = true;
  for (const auto& [n, _] : cb.items()) names[n] = true;
  for (const auto& [n, _] : names.items()) {
    const nlohmann::json x = ca.value(n, nlohmann::json()), y = cb.value(n, nlohmann::json());
    row(n, verdict_of(x), verdict_of(y));
    nlohmann::json keys = nlohmann::json::object();
    for (const auto* c : {&x, &y})
      if (c->is_object())
        for (const auto& [k, v] : c->items())
          if (v.is_number_integer()) keys[k] = true;
    for (const auto& [k, _] : keys.items()) {
      const auto val = [&](const nlohmann::json& c) { return c.is_object() && c.contains(k) ? c[k].dump() : "-"; };
      if (val(x) != val(y)) row("  " + k, val(x), val(y), false);
    }
  }

  // The fault schedules, start by start.
  auto starts = [](const Run& r) {
    std::vector<const FaultRecord*> s;
    for (const auto& f : r.faults)
      if (f.f.rfind("start-", 0) == 0) s.push_back(&f);
    return s;
  };
  const auto sa = starts(a), sb = starts(b);
  printf("\n  fault starts (seconds into the main phase)\n");
  for (size_t i = 0; i < std::max(sa.size(), sb.size()); ++i) {
    auto show = [](const FaultRecord* f) {
      if (!f) return std::string("-");
      char t[32];
      snprintf(t, sizeof t, "%.2f ", f->t);
      return t + f->f.substr(6) + " " + targets(f->value);
    };
    const FaultRecord* x = i < sa.size() ? sa[i] : nullptr;
    const FaultRecord* y = i < sb.size() ? sb[i] : nullptr;
    const bool same = x && y && x->f == y->f && targets(x->value) == targets(y->value) && std::fabs(x->t - y->t) <= 0.5;
    if (!same) ++differences;
    printf("  %-34s %-22s %-22s %s\n", ("#" + std::to_string(i + 1)).c_str(), show(x).c_str(), show(y).c_str(),
           same ? "" : "DIFFERENT");
  }
  const bool verdicts_agree = verdict_of(a.results) == verdict_of(b.results);
  printf("\n%s; %d difference%s\n", verdicts_agree ? "verdicts agree" : "verdicts DIFFER", differences,
         differences == 1 ? "" : "s");
  return verdicts_agree ? kExitValid : kExitInvalid;
}

}  // namespace eclat
