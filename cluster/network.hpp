// The lab network, built with libnl: a bridge in the control namespace holding
// the control address 198.18.0.254/24, and one network namespace per host with
// a veth into the bridge and the address 198.18.0.<index>/24. No route leads
// out of the lab.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace eclat {

struct Host {
  std::string name;            // "n1", "o1", ...
  int index = 0;               // last octet of the address
  std::string ip;              // "198.18.0.<index>"
  int netns_fd = -1;           // handle on the host's network namespace (O_CLOEXEC)
  std::string control_ifname;  // the bridge-side veth end, in the control namespace
  int control_ifindex = 0;
};

class Network {
 public:
  static constexpr const char* kBridge = "eclat0";
  static constexpr const char* kControlIp = "198.18.0.254";

  // Creates the bridge (up, with the control address) and brings lo up, in
  // the current (control) network namespace. Throws HarnessError.
  Network();
  // Deletes every veth and the bridge, closes the namespace handles.
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // A new host: namespace, veth pair (peer "eth0" inside the host), address,
  // lo and eth0 up. index in 1..253. Throws HarnessError.
  const Host& add_host(const std::string& name, int index);
  const Host& host(const std::string& name) const;  // throws std::out_of_range
  std::vector<const Host*> hosts() const;           // in creation order

  // Runs fn on a short-lived thread that has joined the host's network
  // namespace (sockets it opens live there); rethrows what fn throws.
  void run_in(const Host& host, const std::function<void()>& fn) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eclat
