// reorder: each packet the target nodes send into the lab is held a random
// time in [0, reorder-ms] (default 20, uniform), so packets sent close
// together overtake each other. netem (delay with jitter) where the kernel
// has it, else an NFQUEUE reader (cluster/packet_delay.hpp).
#include "nemesis/packet_fault.hpp"

namespace eclat {
namespace {

class Reorder : public QueuedPacketFault {
 public:
  Reorder() : QueuedPacketFault("reorder", 2) {}

 protected:
  NetemParams params(const TestConfig& cfg) const override {
    NetemParams p;
    const double window = cfg.settings.get_double("reorder-ms", 20, 0.1, 60000);
    p.delay_ms = window / 2;
    p.jitter_ms = window / 2;
    return p;
  }
};

const bool registered = register_fault("reorder", [] { return std::make_unique<Reorder>(); });

}  // namespace
}  // namespace eclat
