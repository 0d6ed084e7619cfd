// A system adapter: how to lay out, start, probe and stop the nodes of one
// system under test inside the lab, and how to open a client to it. Each
// system is a pack, systems/<name>/, whose adapter registers by name with
// its record (settings, bug switches, events, process names). What only one
// system can do (miroir's membership changes) stays in its pack, reached by
// its own faults through a checked cast; a capability comes here once a
// second system has it.
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cluster/client.hpp"
#include "cluster/network.hpp"
#include "cluster/process.hpp"
#include "core/catalog.hpp"
#include "core/settings.hpp"
#include "core/test_config.hpp"

namespace eclat {

// Something the system reports during a run that a trigger can fire a
// fault on ("kind:name", e.g. miroir's "phase:cutover" or "shard:copied").
// The kinds and names a system can report are declared in its registration
// (PartInfo::events), so a scenario naming another is refused before the run.
struct SystemEvent {
  std::string kind, name;
  std::string record_as;  // f of the nemesis info operation that records it in the history
  nlohmann::json value;   // recorded as that operation's value
  std::string summary;    // one line for the log
};

// Settings every adapter reads; the framework owns them (system_registry.cpp).
inline constexpr NumberSetting kOpTimeout{"op-timeout", 5, 0.1, 3600,
                                          "seconds a client waits for one operation before it is info"};
inline constexpr NumberSetting kReadyTimeout{"ready-timeout", 20, 1, 3600,
                                             "seconds a node has to answer its health check"};
std::chrono::milliseconds ms_of(const NumberSetting& seconds, const TestConfig& cfg);

class System {
 public:
  virtual ~System() = default;

  // Refuses settings and bug names this system does not understand (BadInput).
  // Runs before the lab exists, so it must not start anything.
  virtual void validate(const TestConfig& cfg) const = 0;

  // Adds the hosts to the network, writes configuration under run_dir,
  // starts every process and waits until each one is ready.
  virtual void setup(Network& net, const std::filesystem::path& run_dir) = 0;

  // Storage nodes: the targets of process faults.
  virtual std::vector<std::string> db_nodes() const = 0;
  virtual NodeProcess& process(const std::string& node) = 0;

  // Waits until the node answers its health check; HarnessError names the
  // node and shows the tail of its log when it never does.
  virtual void wait_ready(const std::string& node, std::chrono::milliseconds timeout) = 0;

  // One client per worker (clients are not shared between threads).
  virtual std::unique_ptr<Client> client(int worker) = 0;

  // After healing: waits until the cluster has no pending work (every node
  // reachable, every task queue empty). False when the timeout passed first.
  virtual bool wait_quiescent(std::chrono::milliseconds timeout) = 0;

  // Stops every process (graceful, then kill). Safe to call twice.
  virtual void teardown() = 0;

  // The node's own wall clock as it reports it (clock faults check their
  // effect with it); nullopt when the system cannot tell or the node does
  // not answer.
  virtual std::optional<std::chrono::system_clock::time_point> wall_clock(const std::string&) { return std::nullopt; }
  // Whether the clock faults can move this system's clocks: its nodes read
  // the time through libc, so libfaketime (ProcessSpec::clock_file) reaches
  // them. Go programs such as etcd read it without libc: there it would
  // silently do nothing, so the clock faults refuse such a system.
  virtual bool clocks_movable() const { return false; }
  // Whether the client knows cas(key, [old new]) (the register workload
  // adds cas operations when it does).
  virtual bool can_cas() const { return false; }

  // Where a key lives, for people reading a failure: {"shard": 3, "owners":
  // ["n1", "n4"]} as the configured topology places it (before any
  // migration moved it); null when the system does not shard or cannot
  // tell. Needs no running cluster (eclat check asks it too).
  virtual nlohmann::json placement(const std::string& key) const { return nullptr; }

  // The node currently leading (etcd's leader), the target of "primary"
  // faults; empty when the system has no leader or none is known now.
  virtual bool has_primary() const { return false; }
  virtual std::string primary() { return {}; }

  // Events for triggers: whether this run needs them watched (the system
  // knows which of its faults and workloads cause events), then delivered
  // on a watcher thread from watch_events() until stop_watching_events().
  virtual bool wants_events(const TestConfig&) const { return false; }
  virtual void watch_events(std::function<void(const SystemEvent&)> on_event) {}
  virtual void stop_watching_events() {}
};

using SystemFactory = std::function<std::unique_ptr<System>(const TestConfig&)>;
// From the adapter's own file:
//   const bool registered = register_system({.name = "etcd", .doc = "...", .settings = {&kReadMode},
//                                            .process_names = {"etcd"}}, factory);
bool register_system(PartInfo info, SystemFactory factory);
std::unique_ptr<System> make_system(const TestConfig& cfg);  // BadInput for unknown names
std::vector<std::string> system_names();

}  // namespace eclat
