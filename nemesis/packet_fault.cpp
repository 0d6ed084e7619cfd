#include "nemesis/packet_fault.hpp"

#include <cmath>

#include "cluster/host_netfilter.hpp"
#include "cluster/network.hpp"
#include "cluster/packet_delay.hpp"
#include "cluster/system.hpp"
#include "cluster/traffic_control.hpp"
#include "core/errors.hpp"
#include "nemesis/targets.hpp"

namespace eclat {

PacketFault::~PacketFault() = default;

// --set <fault>-to=n2,o1: only the links to those hosts. Names are checked
// before the lab exists: storage nodes n1..nN, orchestrators o<k>.
std::vector<std::string> link_targets(const TestConfig& cfg, const std::string& fault) {
  const std::string key = fault + "-to";
  const std::string text = cfg.settings.get_string(key, "");
  std::vector<std::string> out;
  size_t start = 0;
  while (!text.empty() && start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string name = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const bool ok = name.size() >= 2 && (name[0] == 'n' || name[0] == 'o') &&
                    name.find_first_not_of("0123456789", 1) == std::string::npos &&
                    (name[0] == 'o' || std::stoll(name.substr(1)) <= cfg.nodes) && std::stoll(name.substr(1)) >= 1;
    if (!ok)
      throw BadInput("setting " + key + "=" + text + ": \"" + name + "\" is not a host of this run (n1..n" +
                     std::to_string(cfg.nodes) + ", o1..)");
    out.push_back(name);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

QueuedPacketFault::QueuedPacketFault(std::string name, uint16_t queue)
    : PacketFault(std::move(name)), queue_(queue) {}
QueuedPacketFault::~QueuedPacketFault() = default;

void QueuedPacketFault::apply_fallback(NemesisContext& ctx, const Host& host, const NetemParams& p) {
  queues_[host.name].reset();  // one queue per host at a time
  queues_[host.name] = std::make_unique<DelayQueue>(
      ctx.net, host, queue_, destinations_iptables(p), std::chrono::microseconds(std::llround(p.delay_ms * 1000)),
      std::chrono::microseconds(std::llround(p.jitter_ms * 1000)), host.index);
}

void QueuedPacketFault::undo_fallback(NemesisContext&, const Host& host) { queues_.erase(host.name); }

void nft_random_rule(NemesisContext& ctx, const Host& host, const std::string& table, const NetemParams& p,
                     double percent, const std::string& action) {
  nft_random_rule_undo(ctx, host, table);
  nft_in(ctx.net, host,
         "add table ip " + table + "\n" +
         "add chain ip " + table + " out { type filter hook output priority 0; }\n" +
         "add rule ip " + table + " out oifname \"eth0\" ip daddr " + destinations_nft(p) +
         " numgen random mod 10000 < " + std::to_string(std::lround(percent * 100)) + " " + action);
}

void nft_random_rule_undo(NemesisContext& ctx, const Host& host, const std::string& table) {
  nft_drop_table(ctx.net, host, "ip " + table);
}

NetemParams planned_params(const nlohmann::json& plan, const Network& net) {
  NetemParams p;
  for (const auto& h : plan.value("to", std::vector<std::string>{})) p.to_ips.push_back(net.host(h).ip);
  p.delay_ms = plan.value("delay_ms", 0.0);
  p.jitter_ms = plan.value("jitter_ms", 0.0);
  p.loss_percent = plan.value("loss_percent", 0.0);
  p.duplicate_percent = plan.value("duplicate_percent", 0.0);
  return p;
}

void PacketFault::validate(const TestConfig& cfg, const System&) const {
  target_spec(cfg, name_);
  params(cfg);
  link_targets(cfg, name_);
}

void PacketFault::prepare(NemesisContext& ctx) {
  const auto to = link_targets(ctx.cfg, name_);
  for (const auto& h : to) {
    try {
      ctx.net.host(h);
    } catch (const std::out_of_range&) {
      throw HarnessError("nemesis " + name_ + ": no host " + h + " in this lab");
    }
  }
  mechanism_ = ctx.tc.capabilities().mechanism_for(name_, !to.empty());
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
  if (auto to = link_targets(ctx.cfg, name_); !to.empty()) j["to"] = to;
  return j;
}

nlohmann::json PacketFault::start(NemesisContext& ctx, const nlohmann::json& plan) {
  if (mechanism_.empty()) prepare(ctx);
  const NetemParams p = planned_params(plan, ctx.net);
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
  r["direction"] = plan.contains("to") ? "sent by the nodes to the hosts in \"to\"" : "sent by the nodes";
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
