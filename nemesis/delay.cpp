// delay: what the target nodes send into the lab arrives delay-ms later
// (default 100), ± delay-jitter-ms (default 10, uniform). netem where the
// kernel has it, else an NFQUEUE reader (cluster/packet_delay.hpp).
#include "nemesis/packet_fault.hpp"

namespace eclat {
namespace {

class Delay : public QueuedPacketFault {
 public:
  Delay() : QueuedPacketFault("delay", 1) {}

 protected:
  NetemParams params(const TestConfig& cfg) const override {
    NetemParams p;
    p.delay_ms = cfg.settings.get_double("delay-ms", 100, 0.1, 60000);
    p.jitter_ms = cfg.settings.get_double("delay-jitter-ms", 10, 0, 60000);
    return p;
  }
};

const bool registered = register_fault("delay", [] { return std::make_unique<Delay>(); });

}  // namespace
}  // namespace eclat
