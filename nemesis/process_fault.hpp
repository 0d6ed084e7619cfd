// The shape shared by kill, pause and stop: pick targets among the storage
// nodes (nemesis/targets.hpp, running ones only), do something to each
// process, and undo it on stop; heal() undoes it on every node, whatever
// state the run left them in.
#pragma once
#include <string>
#include <vector>

#include "cluster/system.hpp"
#include "nemesis/fault.hpp"
#include "nemesis/targets.hpp"

namespace eclat {

class ProcessFault : public Fault {
 public:
  explicit ProcessFault(std::string name) : name_(std::move(name)) {}

  void validate(const TestConfig& cfg, const System&) const override { target_spec(cfg, name_); }

  nlohmann::json plan(NemesisContext& ctx) override {
    std::vector<std::string> up;
    for (const auto& n : ctx.system.db_nodes())
      if (ctx.system.process(n).running() && !ctx.system.process(n).paused()) up.push_back(n);
    const std::string spec = target_spec(ctx.cfg, name_);
    return {{"nodes", pick_targets(spec, up, ctx.system, ctx.rng)}, {"targets", spec}};
  }

  nlohmann::json start(NemesisContext& ctx, const nlohmann::json& plan) override {
    nlohmann::json r = plan;
    r["nodes"] = nlohmann::json::array();
    for (const auto& n : planned_nodes(plan)) {
      apply(ctx, n);
      affected_.push_back(n);
      r["nodes"].push_back(n);
    }
    if (r["nodes"].empty()) r["note"] = "no target";
    describe(r);
    return r;
  }

  nlohmann::json stop(NemesisContext& ctx) override {
    nlohmann::json undone = nlohmann::json::array();
    for (const auto& n : affected_) undone.push_back(undo(ctx, n));
    affected_.clear();
    return {{"undone", undone}};
  }

  nlohmann::json heal(NemesisContext& ctx) override {
    affected_.clear();
    nlohmann::json undone = nlohmann::json::array();
    for (const auto& n : ctx.system.db_nodes())
      if (needs_undo(ctx.system.process(n))) undone.push_back(undo(ctx, n));
    return {{"undone", undone}};
  }

 protected:
  virtual void apply(NemesisContext& ctx, const std::string& node) = 0;
  virtual nlohmann::json undo(NemesisContext& ctx, const std::string& node) = 0;
  virtual bool needs_undo(NodeProcess& p) = 0;
  virtual void describe(nlohmann::json&) const {}

  // Restarts a node that is down and waits until it answers its health check.
  static nlohmann::json restart(NemesisContext& ctx, const std::string& node);

 private:
  std::string name_;
  std::vector<std::string> affected_;
};

}  // namespace eclat
