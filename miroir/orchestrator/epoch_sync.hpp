// Keeps this orchestrator's routing on the shared topology epoch
// (topology_store.hpp), and tells the coordinators which epoch it routes with.
//
// A thread polls the stored epoch every kEpochPoll; when it changed, the
// stored topology is loaded, nodes new to this process get a stub and a state
// (NodeClients, NodeStates: append-only), and the snapshot is installed.
// Every round it also applies the topology's node states (joining, active,
// draining, removed) and writes this orchestrator's row: the epoch it
// acknowledges (Topology::acked_epoch: every write routed with an older epoch
// has stored its task map and in-flight records) and a heartbeat, at once
// when the acknowledged epoch changed, else every kHeartbeatEvery.
//
// wait_acks(E) is the coordinator's side: it returns once every orchestrator
// whose heartbeat is fresh (younger than kFreshHeartbeat) acknowledged E, or
// after `timeout`, naming those it gave up on. An orchestrator that is
// paused (SIGSTOP) longer than kFreshHeartbeat is skipped and may keep
// routing with a stale epoch when it resumes: a known hazard (miroir.md,
// "Hazards": stale routing writes to the old owner after cleanup).
#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "miroir/orchestrator/node_clients.hpp"
#include "miroir/orchestrator/node_states.hpp"
#include "miroir/orchestrator/topology.hpp"
#include "miroir/orchestrator/topology_store.hpp"

namespace miroir::orchestrator {

inline constexpr std::chrono::milliseconds kEpochPoll{50};
inline constexpr std::chrono::milliseconds kHeartbeatEvery{1000};
inline constexpr std::chrono::milliseconds kFreshHeartbeat{3000};
inline constexpr std::chrono::milliseconds kAckTimeout{10000};

class EpochSync {
 public:
  // Loads (or, first in the cluster, stores) the topology and installs it
  // before returning; then starts the thread.
  EpochSync(std::string name, Topology& topology, TopologyStore& store, NodeClients& nodes, NodeStates& states);
  ~EpochSync();
  EpochSync(const EpochSync&) = delete;
  EpochSync& operator=(const EpochSync&) = delete;

  // Loads and installs the stored topology now (after a change made here).
  void reload();
  // See above. Returns the names of the fresh orchestrators that had not
  // acknowledged `epoch` when the wait ended (empty: all did). `stop()`
  // ends the wait early.
  std::vector<std::string> wait_acks(uint64_t epoch, std::chrono::milliseconds timeout,
                                     const std::function<bool()>& stop);

 private:
  void run();
  void apply(const TopologyStore::Loaded& loaded);
  void adopt_states(const TopologySnapshot& snapshot);
  void beat(bool force);

  const std::string name_;
  Topology& topology_;
  TopologyStore& store_;
  NodeClients& nodes_;
  NodeStates& states_;
  std::mutex apply_mu_;  // one reload at a time
  uint64_t last_acked_ = 0;
  std::chrono::steady_clock::time_point last_beat_{};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool poke_ = false;
  std::thread thread_;  // last
};

}  // namespace miroir::orchestrator
