#include "core/test_config.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "core/errors.hpp"

namespace eclat {

const std::map<std::string, std::string>& known_settings() {
  static const std::map<std::string, std::string> keys = {
      {"shards", "miroir: number of shards S (default 16)"},
      {"rf", "miroir: replication factor inside a group (default 1)"},
      {"groups", "miroir: replica groups RG; nodes are split evenly (default 1)"},
      {"orchestrators", "miroir: orchestrators serving the cluster; clients are spread over them (default 1)"},
      {"unavailable-shards", "miroir: a read missing a shard with no reachable owner is \"partial\" (degraded flag) or an \"error\" (default partial)"},
      {"fail-writes-probability", "fail-writes fault: probability that the chosen node refuses a write (default 1)"},
      {"keys", "register: number of keys the operations are drawn from (default 5)"},
      {"values", "register: written values are drawn from 0..values-1 (default 5; small so that values repeat)"},
      {"cas", "register: also compare-and-set operations (default: true on a system whose client has cas, etcd)"},
      {"read-mode", "etcd: reads are linearizable (default) or serializable (served by the member alone, may be stale)"},
      {"read-fraction", "register: fraction of operations that are reads (default 0.5)"},
      {"nemesis-interval", "seconds between two faults (default 5)"},
      {"nemesis-duration", "seconds a fault stays on before it is healed (default 5)"},
      {"op-timeout", "seconds a client waits for one operation before it is info (default 5)"},
      {"ready-timeout", "seconds a node has to answer its health check (default 20)"},
      {"quiesce-timeout", "seconds to wait for every node's task queue to drain (default 60)"},
      {"linearizable-reads", "set: a read missing an acknowledged element that shows up later (stale) is invalid (default false)"},
      {"read-interval", "set: seconds between two reads of the whole set during the run (default 0: only the final read; see README)"},
      {"final-read-timeout", "seconds the final read may retry (default 60)"},
      {"anti-entropy", "miroir: anti-entropy on the orchestrators, true or false (default true)"},
      {"spare-nodes", "miroir: hosts laid out for add-node, started when added (default 1 when the run adds a node)"},
      {"new-node-group", "miroir: replica group add-node joins and remove-node leaves (default 0)"},
      {"drain-deadline", "miroir: seconds a migration's drain waits for in-flight writes (default 30)"},
      {"copy-page-size", "miroir: documents per page of a migration's background copy (default 1000)"},
      {"copy-pause", "miroir: seconds the background copy pauses between pages, a throttle (default 0)"},
      {"drain-stall", "drain-stall fault: seconds every drain stalls (default 40)"},
      {"fail-writes-node", "fail-writes fault: random (default), new (the node added last) or a node name"},
      {"fail-writes-shards", "fail-writes fault: comma-separated shards whose writes fail (default: all)"},
      {"overwrites", "migration: also overwrite a few hot keys on the moving shards with versions (default false)"},
      {"hot-keys", "migration: number of hot keys overwritten (default 4)"},
      {"overwrites-for", "migration: seconds from the start during which hot keys are overwritten (default 0: the whole run)"},
      {"targets", "process and clock faults: which nodes, one, minority, majority, all or primary (default one)"},
      {"kill-targets", "kill fault: overrides targets"},
      {"pause-targets", "pause fault: overrides targets"},
      {"stop-targets", "stop fault: overrides targets"},
      {"clock-targets", "clock faults: overrides targets"},
      {"clock-bump-ms", "clock-bump fault: the jump is drawn in plus or minus this many ms (default 262144)"},
      {"clock-skew-ms", "clock-skew fault: each node's offset is drawn in plus or minus this many ms (default 5000)"},
      {"clock-strobe-ms", "clock-strobe fault: the flipped offset is drawn in plus or minus this many ms (default 2000)"},
      {"clock-strobe-period-ms", "clock-strobe fault: ms between two flips (default 10)"},
      {"clog-swizzle-step", "clog-swizzle fault: seconds between two clogged nodes coming back (default 1)"},
      {"delay-ms", "delay fault: ms added to what the target nodes send (default 100)"},
      {"delay-jitter-ms", "delay fault: plus or minus this many ms, uniform (default 10)"},
      {"reorder-ms", "reorder fault: each packet is held a random time up to this many ms (default 20)"},
      {"loss-percent", "loss fault: percent of the packets the target nodes send that are dropped (default 20)"},
      {"duplicate-percent", "duplicate fault: percent of the packets the target nodes send twice (default 20)"},
      {"delay-targets", "delay fault: overrides targets"},
      {"reorder-targets", "reorder fault: overrides targets"},
      {"loss-targets", "loss fault: overrides targets"},
      {"duplicate-targets", "duplicate fault: overrides targets"},
      {"reject-targets", "reject fault: overrides targets"},
      {"delay-to", "delay fault: only the links to these hosts (comma-separated, e.g. n2,o1; default all)"},
      {"reorder-to", "reorder fault: only the links to these hosts"},
      {"loss-to", "loss fault: only the links to these hosts"},
      {"duplicate-to", "duplicate fault: only the links to these hosts"},
      {"migration-timeout", "migration: seconds the final phase waits for migrations to finish (default 120)"},
  };
  return keys;
}

void Settings::put(const std::string& key, const std::string& value) {
  if (!known_settings().count(key)) {
    std::string known;
    for (const auto& [k, _] : known_settings()) known += (known.empty() ? "" : ", ") + k;
    throw BadInput("unknown setting \"" + key + "\" (known: " + known + ")");
  }
  values_[key] = value;
}

bool Settings::has(const std::string& key) const { return values_.count(key) > 0; }

int64_t Settings::get_int(const std::string& key, int64_t def, int64_t min, int64_t max) const {
  auto it = values_.find(key);
  if (it == values_.end()) return def;
  size_t used = 0;
  int64_t v = 0;
  try {
    v = std::stoll(it->second, &used);
  } catch (...) {
    used = 0;
  }
  if (used == 0 || used != it->second.size())
    throw BadInput("setting " + key + "=" + it->second + ": not an integer");
  if (v < min || v > max)
    throw BadInput("setting " + key + "=" + it->second + ": must be between " +
                   std::to_string(min) + " and " + std::to_string(max));
  return v;
}

double Settings::get_double(const std::string& key, double def, double min, double max) const {
  auto it = values_.find(key);
  if (it == values_.end()) return def;
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(it->second, &used);
  } catch (...) {
    used = 0;
  }
  if (used == 0 || used != it->second.size() || !std::isfinite(v))
    throw BadInput("setting " + key + "=" + it->second + ": not a number");
  if (v < min || v > max) {
    std::ostringstream m;
    m << "setting " << key << "=" << it->second << ": must be between " << min << " and " << max;
    throw BadInput(m.str());
  }
  return v;
}

bool Settings::get_bool(const std::string& key, bool def) const {
  auto it = values_.find(key);
  if (it == values_.end()) return def;
  if (it->second == "true" || it->second == "1" || it->second == "on") return true;
  if (it->second == "false" || it->second == "0" || it->second == "off") return false;
  throw BadInput("setting " + key + "=" + it->second + ": expected true or false");
}

std::string Settings::get_string(const std::string& key, const std::string& def) const {
  auto it = values_.find(key);
  return it == values_.end() ? def : it->second;
}

bool TestConfig::moves_clocks() const {
  auto is_clock = [](const std::string& f) { return f.rfind("clock-", 0) == 0; };
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

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
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

// Scenario values may be JSON numbers or strings; flags are strings.
std::string scalar_text(const nlohmann::json& v, const std::string& what) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer() || v.is_number_unsigned()) return std::to_string(v.get<long long>());
  if (v.is_number_float()) {
    std::ostringstream s;
    s << v.get<double>();
    return s.str();
  }
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  throw BadInput(what + ": expected a string or a number, got " + v.dump());
}

std::vector<std::string> list_value(const nlohmann::json& v, const std::string& what) {
  if (v.is_string()) return split_list(v.get<std::string>());
  if (!v.is_array()) throw BadInput(what + ": expected a list of names, got " + v.dump());
  std::vector<std::string> out;
  for (const auto& x : v) {
    if (!x.is_string()) throw BadInput(what + ": expected names, got " + x.dump());
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

static nlohmann::json read_scenario_file(const std::string& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) throw BadInput(what + " " + path + ": cannot read the file");
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw BadInput(what + " " + path + ": not valid JSON: " + e.what());
  }
}

void apply_scenario(TestConfig& cfg, const nlohmann::json& s, const std::string& where) {
  if (!s.is_object()) throw BadInput(where + ": a scenario must be a JSON object");
  // "scenario": a base scenario (path relative to this file), applied first
  // so that this file's keys override it, as flags override --scenario.
  if (s.contains("scenario")) {
    static thread_local int depth = 0;
    if (depth >= 8) throw BadInput(where + ": \"scenario\": included more than 8 deep (a cycle?)");
    const std::string base = scalar_text(s["scenario"], where + ": \"scenario\"");
    std::filesystem::path p(base);
    if (p.is_relative()) p = std::filesystem::path(where).parent_path() / p;
    nlohmann::json included = read_scenario_file(p.string(), where + ": \"scenario\"");
    ++depth;
    try {
      apply_scenario(cfg, included, p.string());
    } catch (...) {
      --depth;
      throw;
    }
    --depth;
  }
  for (const auto& [key, v] : s.items()) {
    const std::string what = where + ": \"" + key + "\"";
    if (key == "scenario") continue;  // applied first
    else if (key == "name") cfg.name = scalar_text(v, what);
    else if (key == "system") cfg.system = scalar_text(v, what);
    else if (key == "workload") cfg.workload = scalar_text(v, what);
    else if (key == "nemesis") cfg.nemesis = list_value(v, what);
    else if (key == "triggers") {
      if (!v.is_array()) throw BadInput(what + ": expected an array of trigger objects");
      for (const auto& t : v)
        if (!t.is_object()) throw BadInput(what + ": every trigger must be an object, not " + t.dump());
      cfg.triggers = v;
    }
    else if (key == "nodes") cfg.nodes = parse_int(what, scalar_text(v, what), 1, 200);
    else if (key == "time-limit") cfg.time_limit = parse_double(what, scalar_text(v, what), 1, 7 * 86400);
    else if (key == "concurrency") cfg.concurrency = parse_int(what, scalar_text(v, what), 1, 1000);
    else if (key == "rate") cfg.rate = parse_double(what, scalar_text(v, what), 0.1, 1e6);
    else if (key == "seed") { cfg.seed = parse_seed(what, scalar_text(v, what)); cfg.seed_given = true; }
    else if (key == "results") cfg.results = scalar_text(v, what);
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
    } else if (key == "description" || key == "comment") {
      // free text for people
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
    else if (a == "--nemesis") cfg.nemesis = split_list(value());
    else if (a == "--nodes") cfg.nodes = parse_int(a, value(), 1, 200);
    else if (a == "--time-limit") cfg.time_limit = parse_double(a, value(), 1, 7 * 86400);
    else if (a == "--concurrency") cfg.concurrency = parse_int(a, value(), 1, 1000);
    else if (a == "--rate") cfg.rate = parse_double(a, value(), 0.1, 1e6);
    else if (a == "--seed") { cfg.seed = parse_seed(a, value()); cfg.seed_given = true; }
    else if (a == "--results") cfg.results = value();
    else if (a == "--bug") cfg.bugs.push_back(value());
    else if (a == "--checker") cfg.checkers.push_back(value());
    else if (a == "--name") cfg.name = value();
    else if (a == "--expected") { cfg.expected = value(); check_expected(*cfg.expected, a); }
    else if (a == "--set") set_pair(cfg, value(), a);
    else throw BadInput("unknown flag \"" + a + "\" (see eclat test --help)");
  }
  if (cfg.nemesis.size() == 1 && cfg.nemesis[0] == "none") cfg.nemesis.clear();
  if (!cfg.seed_given) cfg.seed = std::random_device{}();
  if (cfg.name.empty()) cfg.name = cfg.system + "-" + cfg.workload;
  validate_common(cfg);
  return cfg;
}

void validate_common(const TestConfig& cfg) {
  for (char c : cfg.name) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      throw BadInput("name \"" + cfg.name + "\": use letters, digits, '-', '_' and '.' only");
  }
  if (cfg.name.empty() || cfg.name[0] == '.') throw BadInput("name \"" + cfg.name + "\": invalid");
  if (cfg.results.empty()) throw BadInput("--results: empty path");
  // Settings whose meaning is common to every system: check them now.
  cfg.settings.get_double("nemesis-interval", 5, 0.1, 86400);
  cfg.settings.get_double("nemesis-duration", 5, 0.1, 86400);
  cfg.settings.get_double("op-timeout", 5, 0.1, 3600);
  cfg.settings.get_double("ready-timeout", 20, 1, 3600);
  cfg.settings.get_double("quiesce-timeout", 60, 1, 86400);
  cfg.settings.get_double("final-read-timeout", 60, 1, 86400);
  cfg.settings.get_double("read-interval", 0, 0, 86400);
  cfg.settings.get_bool("linearizable-reads", false);
}

std::string test_usage() {
  std::string s =
      "usage: eclat test [--scenario FILE] [--system miroir] [--workload set]\n"
      "                  [--nemesis LIST|none] [--nodes N] [--time-limit SECONDS]\n"
      "                  [--concurrency N] [--rate OPS_PER_S] [--seed N] [--results DIR]\n"
      "                  [--bug NAME]... [--checker NAME]... [--name NAME]\n"
      "                  [--expected valid|invalid|unknown] [--set KEY=VALUE]...\n"
      "\n"
      "Runs a chaos test in a private lab: starts the cluster, drives the workload\n"
      "while the nemesis injects faults, heals, checks the history.\n"
      "Defaults: --system miroir --workload set --nemesis kill,partition --nodes 3\n"
      "          --time-limit 30 --concurrency 10 --rate 500 --results results\n"
      "Exit: 0 valid, 1 invalid, 2 unknown, 3 bad input, 4 harness failure.\n"
      "Every flag is also a scenario key of the same name (\"checker\" or \"checkers\";\n"
      "\"scenario\": a base scenario file; \"set\": {KEY: VALUE}).\n"
      "\nSettings (--set KEY=VALUE, or \"set\": {...} in a scenario):\n";
  for (const auto& [k, d] : known_settings()) s += "  " + k + ": " + d + "\n";
  return s;
}

}  // namespace eclat
