// What `eclat serve` knows of a results directory: one summary per run and
// per suite, found by walking the tree. A run directory is one holding
// scenario.json, results.json or history.jsonl; a suite's holds suite.json.
// The walk is repeated (RunIndex::refresh), but a run whose files did not
// change is not read again, and the summaries are kept in a cache file in
// the results directory (.eclat-serve-index.json) so that a server started
// on 10 000 runs lists them without opening 10 000 results.json files.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace eclat::serve {

struct RunSummary {
  std::string id;  // path under the results root, '/'-separated: the run's name in every URL
  std::string name, started_utc, system, workload;
  // finished | running (a live eclat holds it) | incomplete (killed: no
  // results.json) | damaged (a file of it is unreadable; `problem` says which)
  std::string state;
  std::string verdict;  // valid | invalid | unknown ("unknown" unless finished)
  std::vector<std::string> faults;   // the nemeses and the triggers' faults
  std::vector<std::string> failing;  // the checkers that were not valid
  double duration_s = 0;
  int64_t operations = 0;
  int64_t lost = 0;  // acknowledged writes missing at the end, over every checker that counts them
  std::optional<uint64_t> seed;
  std::optional<bool> as_expected;
  std::string replay_of, problem;
  nlohmann::json to_json() const;
  static RunSummary from_json(const nlohmann::json& j);
};

struct SuiteSummary {
  std::string id, started_utc;
  int cases = 0, as_expected = 0;
  bool finished = false;
  nlohmann::json to_json() const;
};

// Reads one run directory (no cache): what the index holds for it.
RunSummary summarize_run(const std::filesystem::path& dir, const std::string& id);

struct RunFilter {
  std::vector<std::string> verdicts;  // any of; a state ("running", "damaged", ...) also matches
  std::string system, workload, fault;  // exact
  std::string name;                     // case-insensitive substring of the name or the id
  std::string from, to;                 // started_utc bounds, inclusive, any ISO prefix ("2026-12-07")
  std::string sort = "started";         // started | name | system | workload | duration | operations | verdict | lost | seed
  bool descending = true;
  size_t page = 1, per_page = 50;
};

class RunIndex {
 public:
  struct Snapshot {
    std::vector<RunSummary> runs;  // in walk order
    std::vector<SuiteSummary> suites;
    uint64_t generation = 0;       // changes whenever anything listed changed
  };

  // `root` need not exist: an empty list, said by the caller.
  explicit RunIndex(std::filesystem::path root, bool persist = true);
  // Walks the tree again; returns true when the snapshot changed.
  bool refresh();
  std::shared_ptr<const Snapshot> snapshot() const;
  const std::filesystem::path& root() const { return root_; }

 private:
  struct Cached {
    int64_t key[3] = {0, 0, 0};  // results.json mtime and size, scenario.json mtime
    RunSummary summary;
  };
  void load_cache();
  void save_cache() const;

  std::filesystem::path root_;
  bool persist_;
  std::map<std::string, Cached> cache_;  // by id; touched only by refresh()
  std::mutex refresh_mu_;
  mutable std::mutex snap_mu_;
  std::shared_ptr<const Snapshot> snap_;
};

// A page of runs as the browser's list shows it: {total, matched, page,
// per_page, pages, runs: [...], facets: {systems, workloads, faults,
// verdicts: {valid: n, ...}}}.
nlohmann::json query_runs(const RunIndex::Snapshot& s, const RunFilter& f);

}  // namespace eclat::serve
