// duplicate: a random duplicate-percent (default 20) of what the target
// nodes send into the lab is sent twice. netem where the kernel has it, else
// an nft "dup to" rule in the node's namespace.
#include <cmath>

#include "cluster/host_netfilter.hpp"
#include "nemesis/packet_fault.hpp"

namespace eclat {
namespace {

class Duplicate : public PacketFault {
 public:
  Duplicate() : PacketFault("duplicate") {}

 protected:
  NetemParams params(const TestConfig& cfg) const override {
    NetemParams p;
    p.duplicate_percent = cfg.settings.get_double("duplicate-percent", 20, 0.01, 100);
    return p;
  }
  void apply_fallback(NemesisContext& ctx, const Host& host, const NetemParams& p) override {
    undo_fallback(ctx, host);
    nft_in(ctx.net, host,
           "add table ip eclat_duplicate\n"
           "add chain ip eclat_duplicate out { type filter hook output priority 0; }\n"
           "add rule ip eclat_duplicate out oifname \"eth0\" ip daddr " + destinations_nft(p) + " numgen random mod 10000 < " +
               std::to_string(std::lround(p.duplicate_percent * 100)) + " dup to ip daddr");
  }
  void undo_fallback(NemesisContext& ctx, const Host& host) override {
    nft_drop_table(ctx.net, host, "ip eclat_duplicate");
  }
};

const bool registered = register_fault("duplicate", [] { return std::make_unique<Duplicate>(); });

}  // namespace
}  // namespace eclat
