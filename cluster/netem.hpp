// netem, where the kernel has it (the preferred mechanism of the packet
// faults): a root netem qdisc on the host's own interface (eth0, inside its
// namespace), so it shapes what the host sends, like the NFQUEUE and nft
// fallbacks. Set through libnl.
#pragma once
#include "cluster/network.hpp"

namespace eclat {

struct NetemParams {
  double delay_ms = 0, jitter_ms = 0;
  double loss_percent = 0, duplicate_percent = 0;
};

void netem_set(const Network& net, const Host& host, const NetemParams& p);  // replaces any earlier one
void netem_clear(const Network& net, const Host& host);                     // no-op without one

}  // namespace eclat
