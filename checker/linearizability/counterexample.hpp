// For an invalid part: a small sub-history that is still not linearizable,
// the longest prefix of it that is, the state it reaches, and the operation
// that cannot be placed next and why. Shown as a table, drawn as a graph
// (Graphviz) and on a time axis (plain SVG), and given in results.json.
//
// Shrinking must keep the verdict truthful: a sub-history that fails must
// prove the original fails. Three changes are safe:
//   - cutting the history at a completion: later invocations are dropped,
//     operations still running become indeterminate (linearizability is
//     prefix-closed);
//   - dropping an operation that cannot change the state (a read, a lost
//     compare);
//   - dropping an operation whose effect no remaining operation could
//     observe (Model::may_observe): removed from a linearization of the
//     whole, it leaves one of the rest.
// Dropping a write outright is not safe ({read 1} fails alone though the
// history wrote 1 first), nor is giving an operation the cut made
// indeterminate its history's outcome back while a state-changing
// operation invoked after the cut is gone (it may be what it read): that is
// done only when every operation invoked between the cut and its
// completion is pure. What is shown with another outcome than the
// history's is marked "relaxed".
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "checker/linearizability/model.hpp"
#include "checker/linearizability/search.hpp"

namespace eclat::lin {

struct Counterexample {
  std::string part;                  // the invalid part for people: "key 25", "keys 3, 7", "the register"
  std::vector<std::string> keys;     // its state slots
  std::vector<LinOp> ops;            // the shrunk history as searched, in invocation order
  std::vector<LinOp> history;        // the same operations as the history has them
  std::vector<std::vector<uint32_t>> slots;  // ops[i]'s keys' slots in `keys`
  std::vector<std::string> shown;    // each operation for people
  std::vector<uint32_t> prefix;      // a longest linearizable prefix (indices into ops), in order
  std::vector<std::string> state;    // the value of each key after it
  int64_t stuck = -1;                // the completed operation that cannot be placed next
  std::string why;
  size_t original_ops = 0;
  bool shrunk_fully = true;          // false when the shrinking ran out of time
  std::string svg;                   // path of the graph, when written
  std::string timeline_svg;          // path of the time-axis drawing, when written

  // Shown indeterminate though the history has it ok (the cut did that).
  bool relaxed(size_t i) const { return ops[i].info && !history[i].info; }
  std::string table() const;         // the text people read
  std::string dot() const;           // the graph, in Graphviz's language
  std::string timeline() const;      // one lane per process on a time axis, as SVG
  nlohmann::json to_json() const;
};

// "key 25", "keys 3, 7", "the register" (one key named ""), "12 keys (a, b, c, ...)".
std::string part_words(const std::vector<std::string>& keys);

// `ops`: the invalid part's operations (invocation order), `slots[i]` their
// keys' slots in `keys`.
Counterexample explain(const std::vector<LinOp>& ops, const std::vector<std::vector<uint32_t>>& slots,
                       const std::vector<std::string>& keys, const Model& model, double time_limit_s);

}  // namespace eclat::lin
