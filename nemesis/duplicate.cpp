// duplicate: a random duplicate-percent (default 20) of what the target
// nodes send into the lab is sent twice. netem where the kernel has it, else
// an nft "dup to" rule in the node's namespace.
#include "nemesis/packet_fault.hpp"

namespace eclat {
namespace {

constexpr NumberSetting kDuplicatePercent{"duplicate-percent", 20, 0.01, 100, "duplicate fault: percent of the packets the target nodes send twice"};
constexpr TextSetting kDuplicateTargets = fault_targets("duplicate-targets", "duplicate fault: overrides targets");
constexpr TextSetting kDuplicateTo = fault_links("duplicate-to", "duplicate fault: only the links to these hosts (comma-separated, e.g. n2,o1)");

class Duplicate : public PacketFault {
 public:
  Duplicate() : PacketFault("duplicate") {}

 protected:
  NetemParams params(const TestConfig& cfg) const override {
    NetemParams p;
    p.duplicate_percent = kDuplicatePercent(cfg.settings);
    return p;
  }
  void apply_fallback(NemesisContext& ctx, const Host& host, const NetemParams& p) override {
    nft_random_rule(ctx, host, "eclat_duplicate", p, p.duplicate_percent, "dup to ip daddr");
  }
  void undo_fallback(NemesisContext& ctx, const Host& host) override { nft_random_rule_undo(ctx, host, "eclat_duplicate"); }
};

const bool registered = register_fault({.name = "duplicate",
                                         .doc = "duplicate-percent of what the target nodes send is sent twice",
                                         .settings = {&kDuplicatePercent, &kTargets, &kDuplicateTargets, &kDuplicateTo},
                                         .colour = "#fdae6b"},
                                        [] { return std::make_unique<Duplicate>(); });

}  // namespace
}  // namespace eclat
