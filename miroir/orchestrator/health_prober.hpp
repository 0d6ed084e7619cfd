// The health prober: one thread that asks every node of the configuration for
// Health in parallel once per interval (each probe bounded by the timeout)
// and hands each outcome to NodeStates, which applies the down/up thresholds.
// Design pacing: every 5 s, 2 s timeout (--probe-interval-ms shortens the
// interval for tests; the timeout never exceeds the interval, so a round is
// over before the next one starts). The first round runs at once.
#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "miroir/orchestrator/node_clients.hpp"
#include "miroir/orchestrator/node_states.hpp"
#include "miroir/orchestrator/topology.hpp"

namespace miroir::orchestrator {

class HealthProber {
 public:
  HealthProber(const Topology& topology, NodeClients& nodes, NodeStates& states,
               std::chrono::milliseconds interval, std::chrono::milliseconds timeout);
  ~HealthProber();  // stops the thread (waits for the round in progress)
  HealthProber(const HealthProber&) = delete;
  HealthProber& operator=(const HealthProber&) = delete;

 private:
  void run();
  void probe_round();

  const Topology& topology_;
  NodeClients& nodes_;
  NodeStates& states_;
  const std::chrono::milliseconds interval_, timeout_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace miroir::orchestrator
