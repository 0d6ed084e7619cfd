// loss: a random loss-percent (default 20) of what the target nodes send
// into the lab is dropped. netem where the kernel has it, else an nft rule
// with a random number per packet in the node's namespace.
#include "nemesis/packet_fault.hpp"

namespace eclat {
namespace {

constexpr NumberSetting kLossPercent{"loss-percent", 20, 0.01, 100, "loss fault: percent of the packets the target nodes send that are dropped"};
constexpr TextSetting kLossTargets = fault_targets("loss-targets", "loss fault: overrides targets");
constexpr TextSetting kLossTo = fault_links("loss-to", "loss fault: only the links to these hosts (comma-separated, e.g. n2,o1)");

class Loss : public PacketFault {
 public:
  Loss() : PacketFault("loss") {}

 protected:
  NetemParams params(const TestConfig& cfg) const override {
    NetemParams p;
    p.loss_percent = kLossPercent(cfg.settings);
    return p;
  }
  void apply_fallback(NemesisContext& ctx, const Host& host, const NetemParams& p) override {
    nft_random_rule(ctx, host, "eclat_loss", p, p.loss_percent, "drop");
  }
  void undo_fallback(NemesisContext& ctx, const Host& host) override { nft_random_rule_undo(ctx, host, "eclat_loss"); }
};

const bool registered = register_fault({.name = "loss",
                                         .doc = "loss-percent of what the target nodes send is dropped at random",
                                         .settings = {&kLossPercent, &kTargets, &kLossTargets, &kLossTo},
                                         .colour = "#ff7f0e"},
                                        [] { return std::make_unique<Loss>(); });

}  // namespace
}  // namespace eclat
