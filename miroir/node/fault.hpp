// The harness's fault hook on a node (proto NodeFaultRequest): refuse writes
// of every kind (add, update, delete by ids, delete a shard) with a given
// probability, optionally only those touching some shards, so the seed
// scenarios' "fail writes to a node" can be reproduced. A refusal is a
// definite application-level "no" (error_code miroir_injected_fault), never a
// transport error. In memory only: a restart clears it.
//
// The shards a write touches: an add or update, the `_miroir_shard` of its
// documents; a shard deletion, its shard; a delete by ids, the shards of the
// documents it names that this node stores now (a node cannot know the shard
// of an id it does not hold: it has no shard count).
#pragma once
#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <set>
#include <vector>

namespace miroir::node {

inline constexpr const char* kInjectedFault = "miroir_injected_fault";

class FaultHook {
 public:
  FaultHook();

  // Probability 0 clears the fault. Throws std::invalid_argument outside [0, 1].
  void set(double probability, const std::vector<uint32_t>& shards);

  // Whether to refuse a write. `touched` lists the shards the write touches;
  // it is only called when a shard filter is set (it may cost a parse). With
  // a filter, a write touching several shards is refused when any listed one
  // is among them; one draw decides for the whole write.
  bool refuse(const std::function<std::vector<uint32_t>()>& touched);

 private:
  std::mutex mu_;
  double probability_ = 0;
  std::set<uint32_t> shards_;  // empty: every write
  std::mt19937_64 rng_;
};

}  // namespace miroir::node
