// delay: what the target nodes send into the lab arrives delay-ms later
// (default 100), ± delay-jitter-ms (default 10, uniform). netem where the
// kernel has it, else an NFQUEUE reader (cluster/packet_delay.hpp).
#include <map>
#include <memory>

#include "cluster/packet_delay.hpp"
#include "nemesis/packet_fault.hpp"

namespace eclat {
namespace {

class Delay : public PacketFault {
 public:
  Delay() : PacketFault("delay") {}

 protected:
  NetemParams params(const TestConfig& cfg) const override {
    NetemParams p;
    p.delay_ms = cfg.settings.get_double("delay-ms", 100, 0.1, 60000);
    p.jitter_ms = cfg.settings.get_double("delay-jitter-ms", 10, 0, 60000);
    return p;
  }
  void apply_fallback(NemesisContext& ctx, const Host& host, const NetemParams& p) override {
    queues_[host.name].reset();  // one queue per host at a time
    queues_[host.name] = std::make_unique<DelayQueue>(
        ctx.net, host, 1, destinations_iptables(p), std::chrono::microseconds(static_cast<int64_t>(p.delay_ms * 1000)),
        std::chrono::microseconds(static_cast<int64_t>(p.jitter_ms * 1000)), host.index);
  }
  void undo_fallback(NemesisContext&, const Host& host) override { queues_.erase(host.name); }

 private:
  std::map<std::string, std::unique_ptr<DelayQueue>> queues_;
};

const bool registered = register_fault("delay", [] { return std::make_unique<Delay>(); });

}  // namespace
}  // namespace eclat
