#include "core/test_config.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "core/catalog.hpp"
#include "core/errors.hpp"
#include "core/flags.hpp"
#include "core/json_input.hpp"

namespace eclat {

std::string default_system() { return ECLAT_DEFAULT_SYSTEM; }

bool TestConfig::moves_clocks() const {
  // Each fault says so in its registration (PartInfo::moves_clocks).
  auto is_clock = [](const std::string& f) {
    const PartInfo* info = catalog().find(PartKind::nemesis, f);
    return info && info->moves_clocks;
  };
  for (const auto& f : nemesis)
    if (is_clock(f)) return true;
  for (const auto& t : triggers)
    if (t.is_object() && t.contains("fault") && t["fault"].is_string() && is_clock(t["fault"].get<std::string>()))
      return true;
  return false;
}

nlohmann::json TestConfig::to_json() const {
  nlohmann::json j;
  j["name"] = name;
  j["system"] = system;
  j["workload"] = workload;
  j["nemesis"] = nemesis;
  if (!triggers.empty()) j["triggers"] = triggers;
  j["nodes"] = nodes;
  j["time-limit"] = time_limit;
  j["concurrency"] = concurrency;
  j["rate"] = rate;
  j["seed"] = seed;
  j["results"] = results;
  j["bug"] = bugs;
  j["checkers"] = checkers;
  if (expected) j["expected"] = *expected;
  j["set"] = nlohmann::json::object();
  for (const auto& [k, v] : settings.all()) j["set"][k] = v;
  return j;
}

namespace {

// "kill,partition": an empty list or an empty item ("", ",,,", "kill,") is
// refused, not read as "no faults": a run without faults says "none".
std::vector<std::string> split_list(const std::string& s, const std::string& what) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = s.find(',', start);
    const std::string item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item.empty())
      throw BadInput(what + " \"" + s + "\": an empty name in the list (names are separated by single commas)");
    out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

int parse_int(const std::string& what, const std::string& v, int min, int max) {
  size_t used = 0;
  long long x = 0;
  try {
    x = std::stoll(v, &used);
  } catch (...) {
    used = 0;
  }
  if (used == 0 || used != v.size()) throw BadInput(what + " " + v + ": not an integer");
  if (x < min || x > max)
    throw BadInput(what + " " + v + ": must be between " + std::to_string(min) + " and " +
                   std::to_string(max));
  return static_cast<int>(x);
}

double parse_double(const std::string& what, const std::string& v, double min, double max) {
  size_t used = 0;
  double x = 0;
  try {
    x = std::stod(v, &used);
  } catch (...) {
    used = 0;
  }
  if (used == 0 || used != v.size() || !std::isfinite(x))
    throw BadInput(what + " " + v + ": not a number");
  if (x < min || x > max) {
    std::ostringstream m;
    m << what << " " << v << ": must be between " << min << " and " << max;
    throw BadInput(m.str());
  }
  return x;
}

uint64_t parse_seed(const std::string& what, const std::string& v) {
  size_t used = 0;
  unsigned long long x = 0;
  try {
    if (!v.empty() && v[0] != '-') x = std::stoull(v, &used);
  } catch (...) {
    used = 0;
  }
  if (used == 0 || used != v.size()) throw BadInput(what + " " + v + ": not a non-negative integer");
  return x;
}

// A value as a message quotes it: its JSON text, cut short (a value nested
// 50 000 deep is named, not printed).
std::string shown(const nlohmann::json& v) {
  std::string text = v.dump();
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

// Scenario values may be JSON numbers or strings; flags are strings.
std::string scalar_text(const nlohmann::json& v, const std::string& what) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());  // a seed up to 2^64-1
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number_float()) {
    std::ostringstream s;
    s << v.get<double>();
    return s.str();
  }
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  throw BadInput(what + ": expected a string or a number, got " + shown(v));
}

// A name (system, workload, file) is a JSON string: {"workload": 5} is a
// mistake, not workload "5".
std::string string_value(const nlohmann::json& v, const std::string& what) {
  if (!v.is_string()) throw BadInput(what + ": expected a string, got " + shown(v));
  return v.get<std::string>();
}

std::vector<std::string> list_value(const nlohmann::json& v, const std::string& what) {
  if (v.is_string()) return split_list(v.get<std::string>(), what);
  if (!v.is_array()) throw BadInput(what + ": expected a list of names, got " + shown(v));
  std::vector<std::string> out;
  for (const auto& x : v) {
    if (!x.is_string() || x.get<std::string>().empty())
      throw BadInput(what + ": expected non-empty names, got " + shown(x));
    out.push_back(x.get<std::string>());
  }
  return out;
}

void set_pair(TestConfig& cfg, const std::string& kv, const std::string& what) {
  auto eq = kv.find('=');
  if (eq == std::string::npos || eq == 0)
    throw BadInput(what + " " + kv + ": expected KEY=VALUE");
  cfg.settings.put(kv.substr(0, eq), kv.substr(eq + 1));
}

void check_expected(const std::string& v, const std::string& what) {
  if (v != "valid" && v != "invalid" && v != "unknown")
    throw BadInput(what + " " + v + ": expected valid, invalid or unknown");
}

}  // namespace

// A scenario is a page of JSON written by hand: 1 MiB and 64 levels are
// far beyond any real one.
static nlohmann::json read_scenario_file(const std::string& path, const std::string& what) {
  try {
    return read_json_file(path, size_t{1} << 20, 64);
  } catch (const BadInput& e) {
    throw BadInput(what + " " + e.what());
  }
}

void apply_scenario(TestConfig& cfg, const nlohmann::json& s, const std::string& where) {
  if (!s.is_object()) throw BadInput(where + ": a scenario must be a JSON object");
  // "scenario": a base scenario (path relative to this file), applied first
  // so that this file's keys override it, as flags override --scenario.
  if (s.contains("scenario")) {
    // The chain of files being applied: a file that includes itself, or
    // one that includes it, is a cycle named file by file.
    static thread_local std::vector<std::string> chain;
    const std::string base = string_value(s["scenario"], where + ": \"scenario\"");
    std::filesystem::path p(base);
    if (p.is_relative()) p = std::filesystem::path(where).parent_path() / p;
    std::error_code ec;
    const std::string self = std::filesystem::weakly_canonical(where, ec).string();
    const std::string next = std::filesystem::weakly_canonical(p, ec).string();
    std::vector<std::string> here = chain;
    if (here.empty() || here.back() != self) here.push_back(self);
    for (const auto& f : here)
      if (f == next) {
        std::string cycle;
        for (const auto& g : here) cycle += g + " includes ";
        throw BadInput(where + ": \"scenario\": a cycle of includes: " + cycle + next);
      }
    if (here.size() >= 16) throw BadInput(where + ": \"scenario\": included more than 16 deep");
    nlohmann::json included = read_scenario_file(p.string(), where + ": \"scenario\"");
    const auto saved = chain;
    chain = here;
    try {
      apply_scenario(cfg, included, p.string());
    } catch (...) {
      chain = saved;
      throw;
    }
    chain = saved;
  }
  for (const auto& [key, v] : s.items()) {
    const std::string what = where + ": \"" + key + "\"";
    if (key == "scenario") continue;  // applied first
    else if (key == "name") {
      cfg.name = string_value(v, what);
      if (cfg.name.empty()) throw BadInput(what + ": empty (leave it out for <system>-<workload>)");
      if (cfg.name.size() > 100) throw BadInput(what + ": longer than 100 characters (it names a directory)");
    }
    else if (key == "system") cfg.system = string_value(v, what);
    else if (key == "workload") cfg.workload = string_value(v, what);
    else if (key == "nemesis") cfg.nemesis = list_value(v, what);
    else if (key == "triggers") {
      if (!v.is_array()) throw BadInput(what + ": expected an array of trigger objects");
      for (const auto& t : v)
        if (!t.is_object()) throw BadInput(what + ": every trigger must be an object, not " + shown(t));
      cfg.triggers = v;
      cfg.triggers_from = where;
    }
    else if (key == "nodes") cfg.nodes = parse_int(what, scalar_text(v, what), 1, 200);
    else if (key == "time-limit") cfg.time_limit = parse_double(what, scalar_text(v, what), 1, 7 * 86400);
    else if (key == "concurrency") cfg.concurrency = parse_int(what, scalar_text(v, what), 1, 1000);
    else if (key == "rate") cfg.rate = parse_double(what, scalar_text(v, what), 0.1, 1e6);
    else if (key == "seed") { cfg.seed = parse_seed(what, scalar_text(v, what)); cfg.seed_given = true; }
    else if (key == "results") cfg.results = string_value(v, what);
    else if (key == "bug") cfg.bugs = list_value(v, what);
    else if (key == "checkers" || key == "checker") cfg.checkers = list_value(v, what);
    else if (key == "expected") { cfg.expected = scalar_text(v, what); check_expected(*cfg.expected, what); }
    else if (key == "set") {
      if (!v.is_object()) throw BadInput(what + ": expected an object of KEY: VALUE");
      for (const auto& [k, x] : v.items()) {
        try {
          cfg.settings.put(k, scalar_text(x, what + "." + k));
        } catch (const BadInput& e) {
          throw BadInput(where + ": " + e.what());
        }
      }
    } else if (key == "description" || key == "comment" || key == "identity") {
      // free text for people; "identity" is how a recorded run was made
      // (eclat test writes it into scenario.json), not what to run
    } else {
      throw BadInput(where + ": unknown scenario key \"" + key + "\"");
    }
  }
}

TestConfig parse_test_args(const std::vector<std::string>& args) {
  TestConfig cfg;
  // The scenario first, whatever its position, so that flags override it.
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--scenario") {
      if (i + 1 >= args.size()) throw BadInput("--scenario needs a FILE");
      const std::string path = args[i + 1];
      apply_scenario(cfg, read_scenario_file(path, "--scenario"), path);
    }
  }
  refuse_invalid_utf8(args);
  refuse_repeated_flags(args, {"--bug", "--checker", "--set"});
  std::set<std::string> set_keys;  // --set KEY twice: refused like a flag twice
  bool name_given = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0)
        throw BadInput(a + " needs a value");
      return args[++i];
    };
    if (a == "--scenario") ++i;
    else if (a == "--system") cfg.system = value();
    else if (a == "--workload") cfg.workload = value();
    else if (a == "--nemesis") cfg.nemesis = split_list(value(), a);
    else if (a == "--nodes") cfg.nodes = parse_int(a, value(), 1, 200);
    else if (a == "--time-limit") cfg.time_limit = parse_double(a, value(), 1, 7 * 86400);
    else if (a == "--concurrency") cfg.concurrency = parse_int(a, value(), 1, 1000);
    else if (a == "--rate") cfg.rate = parse_double(a, value(), 0.1, 1e6);
    else if (a == "--seed") { cfg.seed = parse_seed(a, value()); cfg.seed_given = true; }
    else if (a == "--results") cfg.results = value();
    else if (a == "--bug") cfg.bugs.push_back(value());
    else if (a == "--checker") cfg.checkers.push_back(value());
    else if (a == "--name") { cfg.name = value(); name_given = true; }
    else if (a == "--expected") { cfg.expected = value(); check_expected(*cfg.expected, a); }
    else if (a == "--set") {
      const std::string kv = value();
      if (!set_keys.insert(kv.substr(0, kv.find('='))).second)
        throw BadInput("--set " + kv.substr(0, kv.find('=')) + " given twice (a setting takes one value)");
      set_pair(cfg, kv, a);
    }
    else throw unknown_flag(a, test_usage(), "test");
  }
  if (cfg.nemesis.size() == 1 && cfg.nemesis[0] == "none") cfg.nemesis.clear();
  for (const auto& f : cfg.nemesis)
    if (f == "none") throw BadInput("--nemesis: \"none\" means no faults; it cannot be listed with others");
  if (!cfg.seed_given) cfg.seed = std::random_device{}();
  if (name_given && cfg.name.empty()) throw BadInput("--name: empty (leave it out for <system>-<workload>)");
  if (cfg.name.empty()) cfg.name = cfg.system + "-" + cfg.workload;
  validate_common(cfg);
  return cfg;
}

void validate_common(const TestConfig& cfg) {
  if (cfg.name.size() > 100)  // a directory name, with the run's timestamp beside it
    throw BadInput("name \"" + cfg.name.substr(0, 40) + "...\": longer than 100 characters");
  for (char c : cfg.name) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      throw BadInput("name \"" + cfg.name + "\": use letters, digits, '-', '_' and '.' only");
  }
  if (cfg.name.empty() || cfg.name[0] == '.') throw BadInput("name \"" + cfg.name + "\": invalid");
  if (cfg.results.empty()) throw BadInput("--results: empty path");
  // The run directory is made only after the lab is up: a results path that
  // can never be written is refused now, before anything starts.
  check_writable_dir(cfg.results, "--results");
  // Every setting's value was checked against its spec when it was put.
}

namespace {
// The faults a run may start: the nemesis list and the triggers' faults.
std::vector<std::string> faults_of(const TestConfig& cfg) {
  std::vector<std::string> faults = cfg.nemesis;
  for (const auto& t : cfg.triggers)
    if (t.is_object() && t.contains("fault") && t["fault"].is_string()) faults.push_back(t["fault"]);
  return faults;
}
std::set<std::pair<PartKind, std::string>> parts_of(const TestConfig& cfg) {
  std::set<std::pair<PartKind, std::string>> run = {{PartKind::system, cfg.system},
                                                    {PartKind::workload, cfg.workload}};
  for (const auto& f : faults_of(cfg)) run.insert({PartKind::nemesis, f});
  for (const auto& c : cfg.checkers) run.insert({PartKind::checker, c});
  return run;
}
}  // namespace

nlohmann::json effective_settings(const TestConfig& cfg) {
  const auto run = parts_of(cfg);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, use] : catalog().settings()) {
    bool read = false;
    for (const auto& owner : use.owners) read = read || owner.first == PartKind::framework || run.count(owner);
    if (!read) continue;
    if (cfg.settings.has(key)) out[key] = cfg.settings.all().at(key);
    else out[key] = use.spec->default_text() + " (default)";
  }
  return out;
}

void check_settings_used(const TestConfig& cfg) {
  const auto run = parts_of(cfg);
  std::string parts = "system " + cfg.system + ", workload " + cfg.workload;
  const std::vector<std::string> faults = faults_of(cfg);
  auto names = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& n : v) out += (out.empty() ? "" : ", ") + n;
    return out;
  };
  parts += faults.empty() ? ", no faults" : ", faults " + names(faults);
  parts += ", checkers " + names(cfg.checkers);

  std::vector<std::string> given;
  for (const auto& [k, _] : cfg.settings.all()) given.push_back(k);
  for (const auto& t : cfg.triggers)
    if (t.is_object() && t.contains("with") && t["with"].is_object())
      for (const auto& [k, _] : t["with"].items()) given.push_back(k);
  for (const auto& key : given) {
    const SettingUse* use = catalog().setting(key);
    if (!use) continue;  // refused when it was put
    std::string readers;
    bool used = false;
    for (const auto& [kind, name] : use->owners) {
      used = used || kind == PartKind::framework || run.count({kind, name});
      readers += (readers.empty() ? "" : ", ") + std::string(part_kind_name(kind)) + " " + name;
    }
    if (!used)
      throw BadInput("setting \"" + key + "\" is not read by this run: " + readers + " reads it; the run is " + parts);
  }
}

std::string test_usage() {
  const std::string sys = ECLAT_DEFAULT_SYSTEM;
  std::string systems;
  for (const PartInfo* p : catalog().all(PartKind::system)) systems += (systems.empty() ? "" : "|") + p->name;
  std::string s =
      "usage: eclat test [--scenario FILE] [--system " + systems + "] [--workload NAME]\n"
      "                  [--nemesis LIST|none] [--nodes N] [--time-limit SECONDS]\n"
      "                  [--concurrency N] [--rate OPS_PER_S] [--seed N] [--results DIR]\n"
      "                  [--bug NAME]... [--checker NAME]... [--name NAME]\n"
      "                  [--expected valid|invalid|unknown] [--set KEY=VALUE]...\n"
      "\n"
      "Runs a chaos test in a private lab: starts the cluster, drives the workload\n"
      "while the nemesis injects faults, heals, checks the history.\n"
      "Defaults: --system " + sys + " --workload set --nemesis kill,partition --nodes 3\n"
      "          --time-limit 30 --concurrency 10 --rate 500 --results results\n"
      "Exit: 0 valid, 1 invalid, 2 unknown, 3 bad input, 4 harness failure.\n"
      "Every flag is also a scenario key of the same name (\"checker\" or \"checkers\";\n"
      "\"scenario\": a base scenario file; \"set\": {KEY: VALUE}).\n"
      "Systems, workloads, faults, checkers, bug switches: eclat list --help.\n"
      "\nSettings (--set KEY=VALUE, or \"set\": {...} in a scenario); a run takes the\n"
      "settings of its system, workload, faults and checkers, and the framework's:\n";
  for (const auto& [key, use] : catalog().settings()) {
    std::string owners;
    for (const auto& [kind, name] : use.owners) {
      const std::string who = kind == PartKind::framework ? "every run" : std::string(part_kind_name(kind)) + " " + name;
      if (owners.find(who) == std::string::npos) owners += (owners.empty() ? "" : ", ") + who;
    }
    s += "  " + key + "=" + use.spec->range_text() + " (default " + use.spec->default_text() + "; " + owners +
         ")\n      " + use.spec->doc + "\n";
  }
  return s;
}

}  // namespace eclat
