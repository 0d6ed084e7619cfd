#include "miroir/orchestrator/health_prober.hpp"

#include <algorithm>
#include <memory>
#include <vector>

#include "miroir/common/log.hpp"
#include "miroir/common/grpc_options.hpp"

namespace miroir::orchestrator {

HealthProber::HealthProber(const Topology& topology, NodeClients& nodes, NodeStates& states,
                           std::chrono::milliseconds interval, std::chrono::milliseconds timeout)
    : topology_(topology),
      nodes_(nodes),
      states_(states),
      interval_(interval),
      timeout_(std::min(timeout, interval)),
      thread_([this] { run(); }) {}

HealthProber::~HealthProber() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void HealthProber::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    // Rounds start every interval (not interval after the previous round
    // ended), so the design's "3 failures" is about 3 intervals of downtime.
    auto next = std::chrono::steady_clock::now() + interval_;
    lock.unlock();
    probe_round();
    lock.lock();
    cv_.wait_until(lock, next, [&] { return stop_; });
  }
}

void HealthProber::probe_round() {
  Empty empty;
  auto probes = call_every_node<HealthReply>(nodes_, timeout_, [&](auto& stub, auto* ctx, auto* reply, auto done) {
    stub.async()->Health(ctx, &empty, reply, std::move(done));
  });
  for (size_t i = 0; i < probes.size(); ++i) {
    const int node = static_cast<int>(i);
    const bool answered = probes[i]->status.ok();
    if (auto moved = states_.record_probe(node, answered))
      MIROIR_LOG(warn, "orchestrator")
          << topology_.node_name(node) << " is now " << to_string(*moved) << " ("
          << (answered ? std::to_string(kUpAfterSuccesses) + " probes answered"
                       : std::to_string(kDownAfterFailures) + " probes failed: " +
                             probes[i]->status.error_message())
          << ")";
  }
}

}  // namespace miroir::orchestrator
