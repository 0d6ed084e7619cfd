// netem, where the kernel has it (the preferred mechanism of the packet
// faults): a root netem qdisc on the host's own interface (eth0, inside its
// namespace), so it shapes what the host sends, like the NFQUEUE and nft
// fallbacks. Set through libnl.
#pragma once
#include <string>
#include <vector>

#include "cluster/network.hpp"

namespace eclat {

struct NetemParams {
  double delay_ms = 0, jitter_ms = 0;
  double loss_percent = 0, duplicate_percent = 0;
  // Only packets to these addresses (one link per address); empty: every
  // packet the host sends into the lab. netem here shapes the whole
  // interface, so link-scoped faults use the fallbacks.
  std::vector<std::string> to_ips;
};

// The destinations as an iptables -d list / an nft set ("198.18.0.0/15"
// when the fault is not link-scoped).
std::string destinations_iptables(const NetemParams& p);
std::string destinations_nft(const NetemParams& p);

void netem_set(const Network& net, const Host& host, const NetemParams& p);  // replaces any earlier one
void netem_clear(const Network& net, const Host& host);                     // no-op without one

}  // namespace eclat
