// For an invalid part: a small sub-history that is still not linearizable,
// the longest prefix of it that is, the state it reaches, and the operation
// that cannot be placed next and why. Shown as a table and drawn (Graphviz).
//
// Shrinking must keep the verdict meaningful: a sub-history that fails must
// prove the original fails. Three changes are safe: cutting the history at a
// completion (later invocations are dropped, operations still running become
// indeterminate), dropping an operation that cannot change the state (a read,
// a lost compare), and making a completed operation indeterminate (it may
// then happen at any time after its invocation, or never). Each allows every
// linearization the original allowed, so if the result has none, neither
// had the original. Removing a write outright would not be safe.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "checker/linearizability/model.hpp"
#include "checker/linearizability/search.hpp"

namespace eclat::lin {

struct Counterexample {
  std::string part;                  // the keys of the invalid part
  std::vector<std::string> keys;     // its state slots
  std::vector<LinOp> ops;            // the shrunk history, in invocation order
  std::vector<std::string> shown;    // each operation for people
  std::vector<uint32_t> prefix;      // a longest linearizable prefix (indices into ops), in order
  std::vector<std::string> state;    // the value of each key after it
  int64_t stuck = -1;                // the completed operation that cannot be placed next
  std::string why;
  size_t original_ops = 0;
  bool shrunk_fully = true;          // false when the shrinking ran out of time
  std::string svg;                   // path of the drawing, when written

  std::string table() const;         // the text people read
  std::string dot() const;           // the drawing, in Graphviz's language
  nlohmann::json to_json() const;
};

// `ops`: the invalid part's operations (invocation order), `slots[i]` their
// keys' slots in `keys`.
Counterexample explain(const std::vector<LinOp>& ops, const std::vector<std::vector<uint32_t>>& slots,
                       const std::vector<std::string>& keys, const Model& model, double time_limit_s);

}  // namespace eclat::lin
