// reject: fast failure instead of silence. The target nodes (reject-targets,
// else targets) refuse every packet from the other lab hosts and every
// packet they send to them with an ICMP host-unreachable, so a connect()
// either way fails at once (EHOSTUNREACH) instead of timing out, as when a
// route is gone. The control process (the clients) keeps its links, as in
// the partitions. nft rules in the node's namespace; the outgoing rule lets
// ICMP pass, or the node's own "unreachable" answers would be rejected too.
#include "cluster/host_netfilter.hpp"
#include "cluster/network.hpp"
#include "cluster/system.hpp"
#include "cluster/traffic_control.hpp"
#include "core/errors.hpp"
#include "nemesis/process_fault.hpp"

namespace eclat {
namespace {

constexpr TextSetting kRejectTargets = fault_targets("reject-targets", "reject fault: overrides targets");

class Reject : public Fault {
 public:
  void validate(const TestConfig& cfg, const System&) const override { target_spec(cfg, "reject"); }

  void prepare(NemesisContext& ctx) override {
    if (ctx.tc.capabilities().mechanism_for("reject").empty())
      throw HarnessError("nemesis reject: nft reject rules do not work on this kernel (" +
                         ctx.tc.capabilities().describe() + ")");
  }

  nlohmann::json plan(NemesisContext& ctx) override {
    return {{"nodes", pick_targets(target_spec(ctx.cfg, "reject"), ctx.system.db_nodes(), ctx.system, ctx.rng)}};
  }

  nlohmann::json start(NemesisContext& ctx, const nlohmann::json& plan) override {
    nlohmann::json r = plan;
    for (const auto& n : planned_nodes(plan)) {
      const Host& h = ctx.net.host(n);
      std::string peers;
      for (const Host* o : ctx.net.hosts())
        if (o != &h) peers += (peers.empty() ? "" : ", ") + o->ip;
      if (peers.empty()) continue;
      nft_in(ctx.net, h,
             "add table ip eclat_reject\n"
             "add chain ip eclat_reject in { type filter hook input priority 0; }\n"
             "add chain ip eclat_reject out { type filter hook output priority 0; }\n"
             "add rule ip eclat_reject in ip saddr { " + peers + " } reject with icmp type host-unreachable\n"
             "add rule ip eclat_reject out ip daddr { " + peers +
                 " } ip protocol != icmp reject with icmp type host-unreachable");
      rejecting_.push_back(n);
    }
    r["mechanism"] = "nft-reject";
    return r;
  }

  nlohmann::json stop(NemesisContext& ctx) override {
    nlohmann::json undone = rejecting_;
    for (const auto& n : rejecting_) nft_drop_table(ctx.net, ctx.net.host(n), "ip eclat_reject");
    rejecting_.clear();
    return {{"undone", undone}};
  }

  nlohmann::json heal(NemesisContext& ctx) override {
    rejecting_.clear();
    for (const auto& n : ctx.system.db_nodes()) nft_drop_table(ctx.net, ctx.net.host(n), "ip eclat_reject");
    return {{"undone", ctx.system.db_nodes()}};
  }

 private:
  std::vector<std::string> rejecting_;
};

const bool registered = register_fault({.name = "reject",
                                         .doc = "the target nodes answer every packet from and to the other hosts with ICMP host-unreachable",
                                         .settings = {&kTargets, &kRejectTargets},
                                         .colour = "#fd8d3c"},
                                        [] { return std::make_unique<Reject>(); });

}  // namespace
}  // namespace eclat
