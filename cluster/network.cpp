#include "cluster/network.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netlink/addr.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <linux/rtnetlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <sched.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "cluster/netlink_util.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"

namespace eclat {
namespace {

constexpr const char* kSubnet = "198.18.0.";
// Every interface of the lab network in the control namespace (bridge and
// veths) carries this interface group, so teardown deletes them all in one
// request: the kernel then waits for RCU once instead of once per interface.
constexpr uint32_t kGroup = 0xEC1A;

// RTM_DELLINK by IFLA_GROUP (libnl's rtnl_link_delete wants a name or index).
int delete_group(nl_sock* sk, uint32_t group) {
  nl_msg* msg = nlmsg_alloc_simple(RTM_DELLINK, 0);
  if (!msg) return -NLE_NOMEM;
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  int err = nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO);
  if (err >= 0) err = nla_put_u32(msg, IFLA_GROUP, group);
  if (err < 0) {
    nlmsg_free(msg);
    return err;
  }
  return nl_send_sync(sk, msg);  // frees msg, waits for the ack
}

// Runs fn on a fresh thread and rethrows what it throws. The thread ends, so
// whatever it did to its own namespaces dies with it.
void on_thread(const std::function<void()>& fn) {
  std::exception_ptr error;
  std::thread t([&] {
    try {
      fn();
    } catch (...) {
      error = std::current_exception();
    }
  });
  t.join();
  if (error) std::rethrow_exception(error);
}

// A new, empty network namespace; returns a handle on it (O_CLOEXEC).
int new_netns() {
  int fd = -1;
  on_thread([&] {
    if (::unshare(CLONE_NEWNET) != 0) nl::fail_errno("unshare(CLONE_NEWNET)", errno);
    // /proc/self/ns/net would name the main thread's namespace.
    fd = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (fd < 0) nl::fail_errno("open(/proc/thread-self/ns/net)", errno);
  });
  return fd;
}

void add_address(nl_sock* sk, int ifindex, const std::string& cidr, const std::string& ifname) {
  nl_addr* local = nullptr;
  int err = nl_addr_parse(cidr.c_str(), AF_INET, &local);
  if (err < 0) nl::fail("nl_addr_parse(" + cidr + ")", err);
  rtnl_addr* addr = rtnl_addr_alloc();
  rtnl_addr_set_ifindex(addr, ifindex);
  rtnl_addr_set_local(addr, local);
  nl_addr_put(local);
  err = rtnl_addr_add(sk, addr, 0);
  rtnl_addr_put(addr);
  if (err < 0) nl::fail("rtnl_addr_add(" + cidr + " on " + ifname + ")", err);
}

std::string control_name(const std::string& name, int index) {
  std::string n = "vh-" + name;
  if (n.size() > 15) n = "vh-h" + std::to_string(index);
  return n;
}

}  // namespace

struct Network::Impl {
  mutable std::mutex mu;
  nl::Sock sk;
  int bridge_ifindex = 0;
  std::deque<Host> hosts;  // stable addresses
};

Network::Network() : impl_(std::make_unique<Impl>()) {
  auto t0 = std::chrono::steady_clock::now();
  impl_->sk = nl::route_socket();
  nl_sock* sk = impl_->sk.get();
  nl::set_up(sk, "lo");

  nl::Link br(rtnl_link_bridge_alloc());
  if (!br) throw HarnessError("rtnl_link_bridge_alloc failed");
  rtnl_link_set_name(br.get(), kBridge);
  rtnl_link_set_flags(br.get(), IFF_UP);
  rtnl_link_set_group(br.get(), kGroup);
  int err = rtnl_link_add(sk, br.get(), NLM_F_CREATE | NLM_F_EXCL);
  if (err < 0) nl::fail(std::string("rtnl_link_add(bridge ") + kBridge + ")", err);
  try {
    impl_->bridge_ifindex = nl::ifindex_of(sk, kBridge);
    add_address(sk, impl_->bridge_ifindex, std::string(kControlIp) + "/24", kBridge);
  } catch (...) {
    nl::delete_link(sk, kBridge);
    throw;
  }
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
  ECLAT_LOG(info, "lab") << "bridge " << kBridge << " up with " << kControlIp << "/24 ("
                         << us.count() / 1000.0 << " ms)";
}

Network::~Network() {
  auto t0 = std::chrono::steady_clock::now();
  std::lock_guard lock(impl_->mu);
  nl_sock* sk = impl_->sk.get();
  // One request for the bridge and every veth (deleting one end of a veth
  // deletes both); one by one if the kernel refuses.
  int err = delete_group(sk, kGroup);
  if (err < 0) {
    ECLAT_LOG(debug, "lab") << "deleting interface group " << kGroup << ": " << nl_geterror(err)
                            << "; deleting one by one";
    for (auto it = impl_->hosts.rbegin(); it != impl_->hosts.rend(); ++it) {
      err = nl::delete_link(sk, it->control_ifname);
      if (err < 0)
        ECLAT_LOG(warn, "lab") << "deleting " << it->control_ifname << ": " << nl_geterror(err);
    }
    err = nl::delete_link(sk, kBridge);
    if (err < 0) ECLAT_LOG(warn, "lab") << "deleting " << kBridge << ": " << nl_geterror(err);
  }
  for (auto& h : impl_->hosts)
    if (h.netns_fd >= 0) ::close(h.netns_fd);
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
  ECLAT_LOG(info, "lab") << "network torn down (" << impl_->hosts.size() << " hosts, "
                         << us.count() / 1000.0 << " ms)";
}

const Host& Network::add_host(const std::string& name, int index) {
  std::lock_guard lock(impl_->mu);
  if (index < 1 || index > 253)
    throw HarnessError("host " + name + ": index " + std::to_string(index) + " not in 1..253");
  if (name.empty()) throw HarnessError("a host needs a name");
  for (const auto& h : impl_->hosts) {
    if (h.name == name) throw HarnessError("host " + name + " exists already");
    if (h.index == index)
      throw HarnessError("host " + name + ": index " + std::to_string(index) + " taken by " + h.name);
  }
  auto t0 = std::chrono::steady_clock::now();
  nl_sock* sk = impl_->sk.get();

  Host h;
  h.name = name;
  h.index = index;
  h.ip = kSubnet + std::to_string(index);
  h.control_ifname = control_name(name, index);
  for (const auto& o : impl_->hosts)
    if (o.control_ifname == h.control_ifname)
      h.control_ifname = control_name(std::string(16, 'x'), index);  // forces vh-h<index>
  h.netns_fd = new_netns();

  try {
    // One request: the control end enslaved to the bridge and up, the peer
    // named eth0 created directly inside the host namespace (not up: the
    // kernel refuses IFF_UP on the peer in this request).
    nl::Link veth(rtnl_link_veth_alloc());
    if (!veth) throw HarnessError("rtnl_link_veth_alloc failed");
    rtnl_link_set_name(veth.get(), h.control_ifname.c_str());
    rtnl_link_set_master(veth.get(), impl_->bridge_ifindex);
    rtnl_link_set_flags(veth.get(), IFF_UP);
    rtnl_link_set_group(veth.get(), kGroup);
    {
      nl::Link peer(rtnl_link_veth_get_peer(veth.get()));
      rtnl_link_set_name(peer.get(), "eth0");
      rtnl_link_set_ns_fd(peer.get(), h.netns_fd);
    }
    int err = rtnl_link_add(sk, veth.get(), NLM_F_CREATE | NLM_F_EXCL);
    if (err < 0) nl::fail("host " + name + ": rtnl_link_add(veth " + h.control_ifname + ")", err);
    h.control_ifindex = nl::ifindex_of(sk, h.control_ifname);

    // Inside the host: lo and eth0 up, the address on eth0. No route beyond
    // the subnet's own.
    const std::string cidr = h.ip + "/24";
    on_thread([&] {
      if (::setns(h.netns_fd, CLONE_NEWNET) != 0) nl::fail_errno("setns(" + name + ")", errno);
      nl::Sock hs = nl::route_socket();
      nl::set_up(hs.get(), "lo");
      int eth0 = nl::ifindex_of(hs.get(), "eth0");
      add_address(hs.get(), eth0, cidr, name + "/eth0");
      nl::set_up(hs.get(), "eth0");
    });
  } catch (...) {
    nl::delete_link(sk, h.control_ifname);
    ::close(h.netns_fd);
    throw;
  }
  impl_->hosts.push_back(h);
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
  ECLAT_LOG(debug, "lab") << "host " << name << " " << h.ip << " via " << h.control_ifname << " ("
                          << us.count() / 1000.0 << " ms)";
  return impl_->hosts.back();
}

const Host& Network::host(const std::string& name) const {
  std::lock_guard lock(impl_->mu);
  for (const auto& h : impl_->hosts)
    if (h.name == name) return h;
  throw std::out_of_range("no host named " + name);
}

std::vector<const Host*> Network::hosts() const {
  std::lock_guard lock(impl_->mu);
  std::vector<const Host*> out;
  for (const auto& h : impl_->hosts) out.push_back(&h);
  return out;
}

void Network::run_in(const Host& host, const std::function<void()>& fn) const {
  on_thread([&] {
    if (::setns(host.netns_fd, CLONE_NEWNET) != 0)
      nl::fail_errno("setns(" + host.name + ")", errno);
    fn();
  });
}

}  // namespace eclat
