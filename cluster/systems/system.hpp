// A system adapter: how to lay out, start, probe and stop the nodes of one
// system under test inside the lab, and how to open a client to it.
// Adapters register by name ("miroir", later "etcd").
#pragma once
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cluster/network.hpp"
#include "cluster/process.hpp"
#include "core/test_config.hpp"
#include "workloads/client.hpp"

namespace eclat {

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

  // Fault hooks a system may offer the nemesis (faults that need them check
  // in validate). fail_writes: from now on the node refuses writes with this
  // probability, as a definite application error; 0 clears it. HarnessError
  // when the node cannot be told (e.g. it is down).
  virtual bool can_fail_writes() const { return false; }
  virtual void fail_writes(const std::string& node, double probability);
};

using SystemFactory = std::function<std::unique_ptr<System>(const TestConfig&)>;
bool register_system(const std::string& name, SystemFactory factory);
std::unique_ptr<System> make_system(const TestConfig& cfg);  // BadInput for unknown names
std::vector<std::string> system_names();

}  // namespace eclat
