#include "nemesis/packet_fault.hpp"

#include "cluster/network.hpp"
#include "cluster/systems/system.hpp"
#include "cluster/traffic_control.hpp"
#include "core/errors.hpp"
#include "nemesis/targets.hpp"

namespace eclat {

PacketFault::~PacketFault() = default;

NetemParams planned_params(const nlohmann::json& plan) {
  NetemParams p;
  p.delay_ms = plan.value("delay_ms", 0.0);
  p.jitter_ms = plan.value("jitter_ms", 0.0);
  p.loss_percent = plan.value("loss_percent", 0.0);
  p.duplicate_percent = plan.value("duplicate_percent", 0.0);
  return p;
}

void PacketFault::validate(const TestConfig& cfg, const System&) const {
  target_spec(cfg, name_);
  params(cfg);
}

void PacketFault::prepare(NemesisContext& ctx) {
  mechanism_ = ctx.tc.capabilities().mechanism_for(name_);
  if (mechanism_.empty())
    throw HarnessError("nemesis " + name_ + ": this kernel offers no way to do it (" +
                       ctx.tc.capabilities().describe() + ")");
}

nlohmann::json PacketFault::plan(NemesisContext& ctx) {
  std::vector<std::string> up;
  for (const auto& n : ctx.system.db_nodes()) up.push_back(n);
  const NetemParams p = params(ctx.cfg);
  nlohmann::json j = {{"nodes", pick_targets(target_spec(ctx.cfg, name_), up, ctx.system, ctx.rng)}};
  if (p.delay_ms > 0) j["delay_ms"] = p.delay_ms;
  if (p.jitter_ms > 0) j["jitter_ms"] = p.jitter_ms;
  if (p.loss_percent > 0) j["loss_percent"] = p.loss_percent;
  if (p.duplicate_percent > 0) j["duplicate_percent"] = p.duplicate_percent;
  return j;
}

nlohmann::json PacketFault::start(NemesisContext& ctx, const nlohmann::json& plan) {
  if (mechanism_.empty()) prepare(ctx);
  const NetemParams p = planned_params(plan);
  nlohmann::json r = plan;
  r["nodes"] = nlohmann::json::array();
  for (const auto& n : plan.value("nodes", std::vector<std::string>{})) {
    const Host& h = ctx.net.host(n);
    if (mechanism_ == "netem")
      netem_set(ctx.net, h, p);
    else
      apply_fallback(ctx, h, p);
    shaped_.push_back(n);
    r["nodes"].push_back(n);
  }
  r["mechanism"] = mechanism_;
  r["direction"] = "sent by the nodes";
  return r;
}

void PacketFault::undo(NemesisContext& ctx, const std::string& node) {
  const Host& h = ctx.net.host(node);
  if (mechanism_ == "netem")
    netem_clear(ctx.net, h);
  else
    undo_fallback(ctx, h);
}

nlohmann::json PacketFault::stop(NemesisContext& ctx) {
  nlohmann::json undone = shaped_;
  for (const auto& n : shaped_) undo(ctx, n);
  shaped_.clear();
  return {{"undone", undone}};
}

nlohmann::json PacketFault::heal(NemesisContext& ctx) {
  shaped_.clear();
  if (mechanism_.empty()) prepare(ctx);
  for (const auto& n : ctx.system.db_nodes()) undo(ctx, n);
  return {{"undone", ctx.system.db_nodes()}};
}

}  // namespace eclat
