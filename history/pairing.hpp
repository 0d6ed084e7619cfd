// Jepsen's pairing rule, checked on every history Éclat reads: a client
// process does one operation at a time, so a completion (ok, fail, info)
// closes the open invocation of its process, of the same f, and a process
// invokes again only once its operation completed. A history that breaks it
// was not recorded by a client (hand-edited, cut and pasted, or another
// tool's bug): judging it would give a verdict on operations that never
// paired up ("1 operations: 2 ok"), so it is bad input naming its line.
// An invocation never completed is fine: the run was killed, the operation
// is indeterminate. The nemesis (process "nemesis") runs faults concurrently
// and is not held to the rule.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>

#include "history/history.hpp"

namespace eclat {

class PairingCheck {
 public:
  explicit PairingCheck(std::string name) : name_(std::move(name)) {}
  // Feeds the next operation (history order) and its source line; throws
  // BadInput "<name>:<line>: ..." when it breaks the rule.
  void feed(const Op& op, size_t line);

 private:
  struct Open {
    std::string f;
    size_t line;
  };
  std::string name_;
  std::unordered_map<int64_t, Open> open_;
};

// The whole of a read history (lines: ReadResult::lines, or 1-based positions).
void check_pairing(const ReadResult& read, const std::string& name);

}  // namespace eclat
