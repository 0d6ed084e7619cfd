// The linearizability check, end to end: pair invocations with completions,
// split by keys, search each part (in parallel, within a budget), and for an
// invalid history explain a small counterexample. Used by the `linearizable`
// checker (eclat test / eclat check --model) and by the benchmark.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "history/history.hpp"
#include "checker/linearizability/counterexample.hpp"
#include "checker/linearizability/model.hpp"
#include "checker/linearizability/search.hpp"

namespace eclat::lin {

// Invocation + completion per process, in invocation order. A `fail` did
// not happen and is left out; `info`, or no completion at all, is
// indeterminate. Nemesis operations are skipped. `lines` (optional) names the
// source line of each history entry in messages; `name` is the file.
// Throws BadInput for a completion without invocation or a second
// invocation while one is pending.
std::vector<LinOp> pair_operations(const History& history, const std::vector<size_t>& lines = {},
                                   const std::string& name = "history",
                                   std::vector<std::string>* where = nullptr);

// Checks that every operation is one the model knows (before any search),
// naming where[i] in the BadInput it throws.
void validate_operations(const std::vector<LinOp>& ops, const std::string& model,
                         const std::vector<std::string>& where,
                         const nlohmann::json& initial = nullptr);

struct CheckOptions {
  std::string model = "cas-register";
  nlohmann::json initial;       // the model's state before any operation; null: its default
  bool nil_reads_unknown = false;  // Knossos's reading of a read of nil (model.hpp)
  double time_limit_s = 0;      // 0: none
  unsigned threads = 0;         // 0: every core
  int64_t memory_limit = 0;     // bytes for all searches together; 0: half of the available memory
  bool split = true;            // check each independent group of keys alone
  bool counterexample = true;   // shrink and explain an invalid part
  double shrink_time_s = 10;    // at most this long for the counterexample
};

struct PartReport {
  std::string label;
  size_t ops = 0;
  Outcome outcome = Outcome::unknown;
  std::string cause;
  uint64_t configurations = 0;
  uint64_t peak_bytes = 0;
  double seconds = 0;
};

struct Report {
  Outcome outcome = Outcome::linearizable;
  std::string model;
  nlohmann::json initial;       // the initial state given (null: the model's default)
  bool nil_reads_unknown = false;
  size_t ops = 0;               // operations given to the search (after dropping)
  std::vector<PartReport> parts;
  uint64_t configurations = 0;
  uint64_t peak_bytes = 0;      // the sum of the parts' peaks (an upper bound)
  double seconds = 0;           // wall time of the search (not parsing)
  std::optional<Counterexample> counterexample;
  std::string shown_part;       // the invalid part the summary names: the one explained (the smallest)
  std::string cause;            // why the whole report is unknown (no operations)

  nlohmann::json to_json() const;
  std::string summary() const;
};

Report check_operations(const std::vector<LinOp>& ops, const CheckOptions& options,
                        const std::vector<std::string>& where = {});

}  // namespace eclat::lin
