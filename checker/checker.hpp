// A checker reads a whole history and says valid / invalid / unknown, with
// details for results.json. Checkers register themselves by name, so a
// scenario can say "checkers": ["lost-writes", "stats"].
#pragma once
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/catalog.hpp"
#include "history/history.hpp"
#include "history/verdict.hpp"

namespace eclat {

// The history checkers judge: operations already in memory (a run, a test),
// or a history file read on first use. A checker with a leaner reader of its
// own (set-full over a 10M-operation history) reads file() and never pays for
// the Op objects, unless another checker asks for ops().
class HistorySource {
 public:
  using Loader = std::function<ReadResult(const std::filesystem::path&)>;
  HistorySource(const History& ops);  // NOLINT: implicit, tests and runs pass a History
  // `load` defaults to read_history (JSON Lines); check passes its
  // format-aware reader and says whether the file is Éclat JSON Lines.
  explicit HistorySource(std::filesystem::path file, Loader load = {}, bool jsonl = true);

  // Loads once (thread-safe); BadInput for a malformed file, like read_history.
  const History& ops() const;
  // Source line of each operation (1-based), after ops().
  const std::vector<size_t>& lines() const;
  // The file, when it is Éclat JSON Lines and its operations are not in
  // memory yet: a checker may read it its own way. Null otherwise.
  const std::filesystem::path* unread_jsonl_file() const;
  // The last line of the file was cut short (a killed run): known after ops().
  bool truncated_tail() const;
  // The file's path for messages, or "history" for operations in memory.
  std::string name() const;

 private:
  struct Lazy;
  const History* ops_ = nullptr;
  std::shared_ptr<Lazy> lazy_;
};

struct CheckContext {
  HistorySource history;
  nlohmann::json scenario;        // the run's effective configuration (may be empty)
  std::filesystem::path out_dir;  // where a checker may write pictures
  // For a checker that wants_findings(): the "checkers" object of results.json
  // so far, i.e. what the verdict checkers found (a counterexample, lost
  // elements), so that a report can point at it. Null when run on its own.
  const nlohmann::json* findings = nullptr;
};

struct CheckResult {
  Verdict valid = Verdict::unknown;
  nlohmann::json details = nlohmann::json::object();
  std::string summary;  // one line for humans
};

class Checker {
 public:
  virtual ~Checker() = default;
  virtual CheckResult check(const CheckContext& ctx) const = 0;
  // A report checker that shows the other checkers' results (timeline):
  // run_checkers runs it after the others and passes ctx.findings.
  virtual bool wants_findings() const { return false; }
};

using CheckerFactory = std::function<std::unique_ptr<Checker>()>;

// Registration by name, from the checker's own file (named like the checker),
// with its record (doc, settings it reads):
//   const bool registered = register_checker({.name = "stats", .doc = "..."}, [] { return std::make_unique<Stats>(); });
bool register_checker(PartInfo info, CheckerFactory factory);
std::unique_ptr<Checker> make_checker(const std::string& name);  // throws BadInput for unknown names
std::vector<std::string> checker_names();

// Runs the named checkers and composes results.json:
// {"valid": ..., "checkers": {"<name>": {"valid": ..., "summary": ..., ...}}}
// in the order given, except that the checkers that wants_findings() run last
// (in their given order), whatever order the names come in.
nlohmann::json run_checkers(const std::vector<std::string>& names, const CheckContext& ctx);

}  // namespace eclat
