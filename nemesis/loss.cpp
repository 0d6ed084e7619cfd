// loss: a random loss-percent (default 20) of what the target nodes send
// into the lab is dropped. netem where the kernel has it, else an nft rule
// with a random number per packet in the node's namespace.
#include <cmath>

#include "cluster/host_netfilter.hpp"
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
    undo_fallback(ctx, host);
    nft_in(ctx.net, host,
           "add table ip eclat_loss\n"
           "add chain ip eclat_loss out { type filter hook output priority 0; }\n"
           "add rule ip eclat_loss out oifname \"eth0\" ip daddr " + destinations_nft(p) + " numgen random mod 10000 < " +
               std::to_string(std::lround(p.loss_percent * 100)) + " drop");
  }
  void undo_fallback(NemesisContext& ctx, const Host& host) override {
    nft_drop_table(ctx.net, host, "ip eclat_loss");
  }
};

const bool registered = register_fault("loss", [] { return std::make_unique<Loss>(); });

}  // namespace
}  // namespace eclat
