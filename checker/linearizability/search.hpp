// The search: does some order of the operations, respecting real time, take
// the model from its initial state through every completed operation's
// recorded output?
//
// Wing & Gong's search as refined by Lowe: depth-first, linearizing one
// operation at a time among those invoked before the earliest pending
// completion, memoising every (set of linearized operations, model state)
// already explored so that no configuration is expanded twice. On top:
//   - the linearized set is a bitset with an incremental (Zobrist) hash, and
//     the memo stores only the part of it that can still vary (the window
//     between the earliest pending completion and the latest invocation
//     before it), so a configuration costs a few words;
//   - model states are interned: equality is an integer compare;
//   - identical operations (same input, output and keys) whose intervals are
//     ordered are linearized in that order (symmetry reduction): many
//     identical indeterminate writes no longer multiply the search;
//   - partial-order reduction: only operations that share a key, directly or
//     through others, with the operation that must be linearized next are
//     branched on (a persistent set);
//   - conflict-directed backjumping across independent parts of one search:
//     a dead end caused by one group of keys does not retry choices made for
//     another group;
//   - a budget (deadline, memory shared by parallel searches, cancellation)
//     that ends in `unknown` with its cause instead of running out of memory.
// The soundness arguments are in search.cpp, beside the code they justify.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "checker/linearizability/model.hpp"

namespace eclat::lin {

struct SearchOp {
  uint64_t call = 0;            // event position of the invocation
  uint64_t ret = LinOp::kNever; // event position of the completion; kNever: info
  Encoded enc;
  std::vector<uint32_t> slots;  // the state slots (keys) it touches, in the model's key order
  uint32_t source = 0;          // the caller's index for this operation
};

struct Budget {
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::atomic<int64_t>* memory_left = nullptr;  // bytes, shared by parallel searches; null: unlimited
  const std::atomic<bool>* cancel = nullptr;    // another search decided the verdict already
};

enum class Outcome { linearizable, not_linearizable, unknown };
const char* to_string(Outcome o);

struct SearchResult {
  Outcome outcome = Outcome::unknown;
  std::string cause;             // why unknown
  uint64_t configurations = 0;   // distinct configurations explored
  uint64_t peak_bytes = 0;       // memo and state tables at their largest
  std::vector<uint32_t> linearization;  // indices into ops, when linearizable
  // When not linearizable and record_deepest was asked: the deepest point the
  // search reached (operations linearized there, in order), the state there,
  // and the completed operation that could not be placed next.
  std::vector<uint32_t> deepest_path;
  std::vector<Value> deepest_state;
  uint32_t stuck = ~0u;
};

struct SearchOptions {
  bool record_deepest = false;
};

// Encodes operations for the search (dropping those that carry nothing);
// `slots[i]` are ops[i]'s keys' slots; `pick` (optional) selects and orders
// a subset (indices into ops), else all. SearchOp::source indexes `ops`.
// Throws std::invalid_argument (from the model) with the operation's index
// in *failed.
std::vector<SearchOp> encode_operations(const std::vector<LinOp>& ops,
                                        const std::vector<std::vector<uint32_t>>& slots,
                                        const std::vector<uint32_t>* pick, const Model& model,
                                        ValuePool& pool, size_t* failed = nullptr);

// `ops` sorted by call; `keys[s]` is the key of state slot s (its initial
// value comes from the model). `slot_atom[s]`: which independent group of
// keys slot s belongs to (keys never touched together by one operation, even
// transitively, are in different groups); all zero disables backjumping.
SearchResult search(const std::vector<SearchOp>& ops, const std::vector<std::string>& keys,
                    const std::vector<uint32_t>& slot_atom, const Model& model, ValuePool& pool,
                    const Budget& budget, const SearchOptions& options = {});

}  // namespace eclat::lin
