// loss: a random loss-percent (default 20) of what the target nodes send
// into the lab is dropped. netem where the kernel has it, else an nft rule
// with a random number per packet in the node's namespace.
#include "nemesis/packet_fault.hpp"

namespace eclat {
namespace {

class Loss : public PacketFault {
 public:
  Loss() : PacketFault("loss") {}

 protected:
  NetemParams params(const TestConfig& cfg) const override {
    NetemParams p;
    p.loss_percent = cfg.settings.get_double("loss-percent", 20, 0.01, 100);
    return p;
  }
  void apply_fallback(NemesisContext& ctx, const Host& host, const NetemParams& p) override {
    nft_random_rule(ctx, host, "eclat_loss", p, p.loss_percent, "drop");
  }
  void undo_fallback(NemesisContext& ctx, const Host& host) override { nft_random_rule_undo(ctx, host, "eclat_loss"); }
};

const bool registered = register_fault("loss", [] { return std::make_unique<Loss>(); });

}  // namespace
}  // namespace eclat
