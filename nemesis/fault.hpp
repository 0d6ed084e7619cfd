// A fault: something the nemesis does to the cluster and undoes. Each fault
// lives in its own file and registers by name, so `--nemesis kill,partition`
// and a scenario's "nemesis": [...] find it. start() and stop() return what
// exactly was done (recorded in the history as the nemesis operation's value).
#pragma once
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/catalog.hpp"
#include "core/settings.hpp"
#include "core/test_config.hpp"

namespace eclat {

class Network;
class TrafficControl;
class System;

struct NemesisContext {
  Network& net;
  TrafficControl& tc;
  System& system;
  const TestConfig& cfg;
  std::mt19937_64& rng;
};

class Fault {
 public:
  virtual ~Fault() = default;
  // Before the lab exists: BadInput when this fault cannot run with that
  // configuration or system (e.g. a hook the system does not offer).
  virtual void validate(const TestConfig&, const System&) const {}
  // Once the lab and the kernel probe exist, before the run starts:
  // HarnessError when this kernel cannot honour the fault (never a fault
  // that silently does nothing).
  virtual void prepare(NemesisContext&) {}
  // What start() will do, chosen now (targets drawn from ctx.rng) and written
  // as JSON, e.g. {"nodes": ["n2"]} or {"grudge": {...}}. A replay passes the
  // value recorded by the original run's start instead, so a fault reads its
  // plan from the keys it writes into its own start value.
  virtual nlohmann::json plan(NemesisContext&) { return nlohmann::json::object(); }
  // Does it. Returns what exactly was done, including the plan's keys.
  virtual nlohmann::json start(NemesisContext& ctx, const nlohmann::json& plan) = 0;
  virtual nlohmann::json stop(NemesisContext& ctx) = 0;
  // The final heal: undo everything this fault may have done, whatever state
  // the cluster is in (dead nodes included). Idempotent.
  virtual nlohmann::json heal(NemesisContext& ctx) = 0;
};

using FaultFactory = std::function<std::unique_ptr<Fault>()>;
// From the fault's own file, with its record: doc, the settings it reads,
// its plot colour, whether it moves clocks:
//   const bool registered = register_fault({.name = "delay", .doc = "...", .settings = {&kDelayMs},
//                                           .colour = "#1f77b4"}, [] { return std::make_unique<Delay>(); });
bool register_fault(PartInfo info, FaultFactory factory);
std::unique_ptr<Fault> make_fault(const std::string& name);  // BadInput for unknown names
std::vector<std::string> fault_names();

}  // namespace eclat
