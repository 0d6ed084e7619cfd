// What the report checkers (perf, timeline, partitions) share: a history's
// operations as spans from invocation to completion, the intervals during
// which each fault was active, and running a helper program (gnuplot) as a
// child with a time limit.
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "history/history.hpp"

namespace eclat::report {

enum class Outcome : uint8_t { ok, fail, info, pending };
const char* to_string(Outcome o);

// One operation: its invocation and its completion in the history.
struct Span {
  static constexpr size_t npos = static_cast<size_t>(-1);
  size_t invoke = npos;    // position in the history; npos for a completion without invocation
  size_t complete = npos;  // npos while pending (the run ended first)
  int64_t process = 0;
  int64_t start = 0;       // ns since the run started
  int64_t end = 0;         // completion time; for a pending operation, the history's end
  Outcome outcome = Outcome::pending;
};

// Pairs each invocation with the next completion of the same process, in
// invocation order. Nothing is dropped: an invocation never completed is
// pending, a completion that has no invocation is a span of length zero.
std::vector<Span> pair_operations(const History& h, bool include_nemesis);

// The latest time in the history (0 when empty).
int64_t history_end(const History& h);

// A fault was active from the invocation of its start-X to the completion of
// the matching stop-X or heal-X (so a kill covers the restart too). A start
// never stopped (an interrupted run) lasts to the history's end, open = true.
struct FaultInterval {
  std::string fault;   // "kill", "partition", ...
  std::string label;   // "kill n2", "partition n1 isolated", ...
  int64_t start = 0, end = 0;
  bool open = false;
  size_t start_op = 0;  // position of the start-X completion in the history
};
std::vector<FaultInterval> fault_intervals(const History& h);

// A short human label for what a start-X nemesis operation did.
std::string fault_label(const std::string& fault, const nlohmann::json& value, const std::string& error);

// Runs argv[0] (looked up in PATH) with stdin from /dev/null and stdout and
// stderr into `output` (a file), in `cwd` when given, in its own process
// group; after `timeout` the whole group is killed.
struct ChildResult {
  bool started = false;    // false: could not be executed (e.g. not installed); see `error`
  bool timed_out = false;
  int exit_code = -1;      // when it exited
  int signal = 0;          // when a signal ended it
  std::string error;
  double seconds = 0;
  bool succeeded() const { return started && !timed_out && signal == 0 && exit_code == 0; }
};
ChildResult run_child(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                      const std::filesystem::path& output, const std::filesystem::path& cwd = {});

// Whether `program` is an executable file in PATH.
bool in_path(const std::string& program);

// The last `max_bytes` of a file (for error messages).
// Text safe inside HTML, SVG or XML markup (element content and quoted
// attributes): < > & " escaped.
std::string markup_escape(const std::string& s);

std::string file_tail(const std::filesystem::path& p, size_t max_bytes = 600);

}  // namespace eclat::report
