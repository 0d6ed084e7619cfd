// Packet delay without netem: every IPv4 packet a host sends into the lab
// goes to an NFQUEUE (an iptables rule in the host's namespace; this kernel
// has the NFQUEUE target only through iptables' compatibility layer), and a
// reader thread of the control process (libnetfilter_queue, its socket
// opened inside the host's namespace) lets each packet go after delay ±
// jitter (uniform). Jitter larger than the gap between packets reorders
// them, as netem's does. Measured here: 100 ms configured adds 100 ms to a
// round trip. The rule has --queue-bypass and the queue fails open, so a
// queue nobody reads, or a full one, lets packets through instead of
// dropping them: this fault delays, it never loses.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>

#include "cluster/network.hpp"

namespace eclat {

class DelayQueue {
 public:
  // Installs the rule and starts the reader. HarnessError when the kernel
  // or iptables refuse.
  // `destinations`: an iptables -d list (addresses, comma-separated).
  DelayQueue(const Network& net, const Host& host, uint16_t queue, const std::string& destinations,
             std::chrono::microseconds delay, std::chrono::microseconds jitter, uint64_t seed);
  // Removes the rule, lets every held packet go at once, stops the reader.
  ~DelayQueue();
  DelayQueue(const DelayQueue&) = delete;
  DelayQueue& operator=(const DelayQueue&) = delete;

  int64_t packets() const;  // packets delayed so far

  // The iptables rule's arguments after -A/-D (shared with the probe).
  static std::vector<std::string> rule(uint16_t queue, const std::string& destinations);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eclat
