// The effective configuration of a test: what a scenario file says, overridden
// by flags. Every flag has a scenario key of the same name. Validated here,
// before anything is started, so bad input never leaves a half-made run.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace eclat {

// --set KEY=VALUE settings, typed on access. Unknown keys are refused at parse
// time (see known_settings()), a bad value names its key.
class Settings {
 public:
  void put(const std::string& key, const std::string& value);
  bool has(const std::string& key) const;
  int64_t get_int(const std::string& key, int64_t def, int64_t min, int64_t max) const;
  double get_double(const std::string& key, double def, double min, double max) const;
  bool get_bool(const std::string& key, bool def) const;
  std::string get_string(const std::string& key, const std::string& def) const;
  const std::map<std::string, std::string>& all() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

// key -> one-line description, for --help and for refusing unknown keys.
const std::map<std::string, std::string>& known_settings();

struct TestConfig {
  std::string name;                   // results/<name>/...; default "<system>-<workload>"
  std::string system = "miroir";
  std::string workload = "set";
  std::vector<std::string> nemesis = {"kill", "partition"};
  int nodes = 3;
  double time_limit = 30;             // seconds of the main phase
  int concurrency = 10;
  double rate = 500;                  // target operations per second, all workers together
  uint64_t seed = 0;
  bool seed_given = false;
  std::string results = "results";
  std::vector<std::string> bugs;
  std::vector<std::string> checkers;  // empty: the workload's defaults
  std::optional<std::string> expected;  // "valid" | "invalid" | "unknown" (for suites)
  // Faults fired by events instead of the interval schedule (scenario key
  // "triggers", see nemesis/triggers.hpp): a JSON array of objects.
  nlohmann::json triggers = nlohmann::json::array();
  Settings settings;

  nlohmann::json to_json() const;
  // True when a fault of the run (interval or trigger) moves clocks: node
  // processes then run under libfaketime (ProcessSpec::clock_file).
  bool moves_clocks() const;
};

// Parses `eclat test` arguments (after the word "test"). A --scenario file is
// read first and flags override it. Throws BadInput naming the flag or key.
TestConfig parse_test_args(const std::vector<std::string>& args);

// Applies a scenario JSON object onto cfg; `where` names the file in messages
// (and is the base of a relative "scenario" include).
void apply_scenario(TestConfig& cfg, const nlohmann::json& scenario, const std::string& where);

// Range and shape checks common to every system (node count, rates...).
void validate_common(const TestConfig& cfg);

std::string test_usage();

}  // namespace eclat
