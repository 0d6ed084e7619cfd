// The harness's side of miroir's admin API: membership changes, migration
// status and phase events, anti-entropy on demand, and the inspection of
// where every document lives (read from the nodes directly). Plain functions
// over gRPC addresses, so the adapter (miroir.cpp) keeps to processes and
// layout. Results are JSON because they go into the history as they are.
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

namespace grpc {
class ClientContext;
}

namespace eclat::miroir_admin {

// AddNode / RemoveNode: {"migration": id} or {"refused": code, "message": ...}.
// HarnessError when the orchestrator cannot be reached.
nlohmann::json add_node(const std::string& orchestrator, const std::string& node,
                        const std::string& address, uint32_t group);
nlohmann::json remove_node(const std::string& orchestrator, const std::string& node);

// Every migration's status (MigrationStatus as JSON).
nlohmann::json migrations(const std::string& orchestrator);
bool finished_phase(const std::string& phase);  // complete | aborted | refused

// Polls until no migration is running or `timeout` passed (the coordinator
// may be restarting meanwhile). {"migrations": [...], "done": bool}.
nlohmann::json wait_migrations(const std::function<std::string()>& orchestrator,
                               std::chrono::milliseconds timeout);

// One anti-entropy pass, waited for. {"ran": false, "error": ...} when off.
nlohmann::json run_anti_entropy(const std::string& orchestrator, std::chrono::milliseconds timeout);

void set_drain_stall(const std::string& orchestrator, std::chrono::milliseconds stall);

// Routes from ClusterStats, then every node's per-shard count and digest.
nlohmann::json inspect(const std::string& orchestrator, const std::map<std::string, std::string>& nodes);

// Streams PhaseEvents (as JSON) to `on_event` from a thread of its own;
// reconnects (every 200 ms) while the coordinator is down. stop() cancels.
class PhaseWatcher {
 public:
  PhaseWatcher(std::function<std::string()> orchestrator, std::function<void(const nlohmann::json&)> on_event);
  ~PhaseWatcher();
  void stop();

 private:
  void loop();
  void deliver(const nlohmann::json& event);
  std::function<std::string()> orchestrator_;
  std::function<void(const nlohmann::json&)> on_event_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  grpc::ClientContext* current_ = nullptr;  // the open stream, for TryCancel
  std::set<std::string> seen_;  // "migration/phase" delivered (watcher thread only)
  std::thread thread_;
};

}  // namespace eclat::miroir_admin
