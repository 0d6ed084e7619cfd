// Anti-entropy (design: miroir.md, "Anti-entropy"): one pass over the shards
// that makes every copy of a shard equal, and the schedule that runs it.
//
// A pass, per shard:
//   1. The copies are the shard's current owners in every group (copies_of).
//      Fingerprint every copy in parallel, with kBuckets bucket digests.
//   2. A copy that does not answer (fingerprint or, later, listing): counted
//      in copies_unreachable and the whole shard is skipped. Decision: never
//      repair from partial knowledge, even when two or more copies answered:
//      the silent copy may hold the newest version, and a pass that repairs
//      only some copies reports "equal" for a shard that is not. The next pass
//      (or the harness's forced one, after the heal) does the shard.
//   3. All whole digests equal: next shard. Otherwise the buckets whose
//      digests differ are the ones looked at: every copy's documents of the
//      shard are listed (pages of 1000, `_miroir_shard = N`, offset
//      pagination) and those in a differing bucket kept; keys_compared counts
//      their keys (the union over the copies).
//   4. A key missing on some copy, or whose canonical JSON (nlohmann dump of
//      the parsed document, the fingerprint's canonical form) differs between
//      copies, is differing. Its winner is the version with the highest
//      `_miroir_updated_at` (missing or not an integer: 0), ties broken by the
//      larger canonical JSON text, so every orchestrator picks the same one.
//   5. The winner, as stored (its `_miroir_*` fields as they are), is written
//      add-or-replace to every copy that lacks it or holds another version,
//      batched per node (1000 documents per request), and the pass waits for
//      those node tasks. keys_repaired counts the keys all of whose repair
//      writes succeeded. `--bug no-anti-entropy-repair`: steps 1-4 only,
//      nothing is written, keys_repaired = 0.
//
// Hazards (documented, by design):
//   - No tombstones: a document deleted on some copies but not on others is
//     missing on the first ones, so the pass writes it back everywhere: a
//     delete that reached only part of the copies is undone.
//   - Last writer wins by orchestrator wall clock: with several
//     orchestrators, clock skew decides between concurrent writes; a write
//     without a stamp (anti-entropy was off) loses to any stamped one.
//   - A repair races client writes: a write acknowledged while the pass runs
//     may be overwritten on some copy by an older winner the pass read before
//     it; the copies differ again and the next pass restores the newest
//     (highest stamp). A pass after quiescence leaves every copy equal.
//
// Passes on one orchestrator never overlap: a RunAntiEntropy call that
// arrives while a pass runs (requested or scheduled) waits for it to finish
// and then runs its own pass, so every answer covers a pass that started
// after the call: everything acknowledged before the call is compared. (Two
// orchestrators may run passes at the same time; they pick the same winners.)
//
// Migrations: only the current owners of a shard are compared; a shard that
// is being moved is skipped (see copies_of): the migration's copy and delta
// pass own its consistency until it is active again.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "miroir.pb.h"
#include "miroir/orchestrator/node_clients.hpp"
#include "miroir/orchestrator/options.hpp"
#include "miroir/orchestrator/topology.hpp"

namespace miroir::orchestrator {

class AntiEntropy {
 public:
  static constexpr uint32_t kBuckets = 256;
  static constexpr uint32_t kPageSize = 1000;   // listing and repair batches

  // With options.anti_entropy on, a thread runs a pass over every shard each
  // options.anti_entropy_interval (the first one interval after start).
  AntiEntropy(const Topology& topology, NodeClients& nodes, const OrchestratorOptions& options);
  ~AntiEntropy();  // stops the schedule; a pass in progress stops at its next step
  AntiEntropy(const AntiEntropy&) = delete;
  AntiEntropy& operator=(const AntiEntropy&) = delete;

  bool enabled() const { return enabled_; }

  // One pass over request.shards (empty: all), after the one running now if
  // any; answers when it finished. Off: error_code miroir_anti_entropy_off.
  // A shard out of range: miroir_bad_request. cancelled() (the caller went
  // away) or the destructor ends it early with miroir_cancelled.
  AntiEntropyReply run(const AntiEntropyRequest& request, const std::function<bool()>& cancelled);

  // The last pass that finished (requested or scheduled), if any.
  std::optional<AntiEntropyReply> last() const;

 private:
  void schedule();
  AntiEntropyReply pass(const std::vector<uint32_t>& shards, const std::function<bool()>& stop);
  // One shard, into the pass's counters.
  void compare_shard(uint32_t shard, AntiEntropyReply& counters, const std::function<bool()>& stop);
  // The copies to compare for `shard`, or nullopt to skip it.
  std::optional<std::vector<int>> copies_of(uint32_t shard) const;

  const Topology& topology_;
  NodeClients& nodes_;
  const bool enabled_;
  const bool repair_;  // false under --bug no-anti-entropy-repair
  const std::chrono::milliseconds interval_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool running_ = false;   // a pass is in progress (passes queue on this)
  std::optional<AntiEntropyReply> last_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace miroir::orchestrator
