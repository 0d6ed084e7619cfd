// reorder: each packet the target nodes send into the lab is held a random
// time in [0, reorder-ms] (default 20, uniform), so packets sent close
// together overtake each other. netem (delay with jitter) where the kernel
// has it, else an NFQUEUE reader (cluster/packet_delay.hpp).
#include <map>
#include <memory>

#include "cluster/packet_delay.hpp"
#include "nemesis/packet_fault.hpp"

namespace eclat {
namespace {

class Reorder : public PacketFault {
 public:
  Reorder() : PacketFault("reorder") {}

 protected:
  NetemParams params(const TestConfig& cfg) const override {
    NetemParams p;
    const double window = cfg.settings.get_double("reorder-ms", 20, 0.1, 60000);
    p.delay_ms = window / 2;
    p.jitter_ms = window / 2;
    return p;
  }
  void apply_fallback(NemesisContext& ctx, const Host& host, const NetemParams& p) override {
    queues_[host.name].reset();
    queues_[host.name] = std::make_unique<DelayQueue>(
        ctx.net, host, 2, destinations_iptables(p), std::chrono::microseconds(static_cast<int64_t>(p.delay_ms * 1000)),
        std::chrono::microseconds(static_cast<int64_t>(p.jitter_ms * 1000)), host.index);
  }
  void undo_fallback(NemesisContext&, const Host& host) override { queues_.erase(host.name); }

 private:
  std::map<std::string, std::unique_ptr<DelayQueue>> queues_;
};

const bool registered = register_fault("reorder", [] { return std::make_unique<Reorder>(); });

}  // namespace
}  // namespace eclat
