#include "cluster/traffic_control.hpp"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <netlink/route/act/gact.h>
#include <netlink/route/act/mirred.h>
#include <netlink/route/action.h>
#include <netlink/route/classifier.h>
#include <netlink/route/cls/u32.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/tc.h>
#include <sched.h>

extern "C" {
#include <libnetfilter_queue/libnetfilter_queue.h>
}

#include <cstring>

#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "cluster/host_netfilter.hpp"
#include "cluster/netlink_util.hpp"
#include "cluster/packet_delay.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"

namespace eclat {
namespace {

constexpr uint32_t kClsactHandle = TC_H_MAKE(TC_H_CLSACT, 0);
constexpr uint32_t kIngressParent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS);
constexpr const char* kSink = "eclat-sink";      // up, redirect target
constexpr const char* kSinkPeer = "eclat-sinkp";  // down: what reaches the sink is dropped

struct QdiscDeleter {
  void operator()(rtnl_qdisc* q) const { rtnl_qdisc_put(q); }
};
struct ClsDeleter {
  void operator()(rtnl_cls* c) const { rtnl_cls_put(c); }
};
struct ActDeleter {
  void operator()(rtnl_act* a) const { rtnl_act_put(a); }
};
using Qdisc = std::unique_ptr<rtnl_qdisc, QdiscDeleter>;
using Cls = std::unique_ptr<rtnl_cls, ClsDeleter>;
using Act = std::unique_ptr<rtnl_act, ActDeleter>;

int add_clsact(nl_sock* sk, int ifindex) {
  Qdisc q(rtnl_qdisc_alloc());
  rtnl_tc_set_ifindex(TC_CAST(q.get()), ifindex);
  rtnl_tc_set_parent(TC_CAST(q.get()), TC_H_CLSACT);
  rtnl_tc_set_handle(TC_CAST(q.get()), kClsactHandle);
  rtnl_tc_set_kind(TC_CAST(q.get()), "clsact");
  return rtnl_qdisc_add(sk, q.get(), NLM_F_CREATE | NLM_F_EXCL);
}

int delete_clsact(nl_sock* sk, int ifindex) {
  Qdisc q(rtnl_qdisc_alloc());
  rtnl_tc_set_ifindex(TC_CAST(q.get()), ifindex);
  rtnl_tc_set_parent(TC_CAST(q.get()), TC_H_CLSACT);
  rtnl_tc_set_handle(TC_CAST(q.get()), kClsactHandle);
  rtnl_tc_set_kind(TC_CAST(q.get()), "clsact");
  return rtnl_qdisc_delete(sk, q.get());
}

Act gact_drop() {
  Act a(rtnl_act_alloc());
  rtnl_tc_set_kind(TC_CAST(a.get()), "gact");
  rtnl_gact_set_action(a.get(), TC_ACT_SHOT);
  return a;
}

Act mirred_to(int ifindex) {
  Act a(rtnl_act_alloc());
  rtnl_tc_set_kind(TC_CAST(a.get()), "mirred");
  rtnl_mirred_set_action(a.get(), TCA_EGRESS_REDIR);
  rtnl_mirred_set_policy(a.get(), TC_ACT_STOLEN);
  rtnl_mirred_set_ifindex(a.get(), ifindex);
  return a;
}

// A u32 filter on the ingress side of a clsact qdisc matching IPv4 packets
// whose destination is `dst`, running `act` (nullptr: classify only).
int add_u32_dst(nl_sock* sk, int ifindex, uint16_t prio, const std::string& dst, rtnl_act* act) {
  in_addr addr{};
  if (inet_pton(AF_INET, dst.c_str(), &addr) != 1) throw HarnessError("bad IPv4 address " + dst);
  Cls c(rtnl_cls_alloc());
  rtnl_tc_set_ifindex(TC_CAST(c.get()), ifindex);
  rtnl_tc_set_parent(TC_CAST(c.get()), kIngressParent);
  int err = rtnl_tc_set_kind(TC_CAST(c.get()), "u32");
  if (err < 0) return err;
  rtnl_cls_set_prio(c.get(), prio);
  rtnl_cls_set_protocol(c.get(), ETH_P_IP);
  // IPv4 destination address: offset 16 of the network header.
  err = rtnl_u32_add_key_in_addr(c.get(), &addr, 32, 16, 0);
  if (err < 0) return err;
  // Without TERMINAL a matching key does not run the actions.
  err = rtnl_u32_set_cls_terminal(c.get());
  if (err < 0) return err;
  if (act) {
    err = rtnl_u32_add_action(c.get(), act);  // takes its own reference
    if (err < 0) return err;
  } else {
    rtnl_u32_set_classid(c.get(), TC_H_MAKE(1u << 16, 1));
  }
  return rtnl_cls_add(sk, c.get(), NLM_F_CREATE | NLM_F_EXCL);
}

int delete_u32(nl_sock* sk, int ifindex, uint16_t prio) {
  Cls c(rtnl_cls_alloc());
  rtnl_tc_set_ifindex(TC_CAST(c.get()), ifindex);
  rtnl_tc_set_parent(TC_CAST(c.get()), kIngressParent);
  rtnl_tc_set_kind(TC_CAST(c.get()), "u32");
  rtnl_cls_set_prio(c.get(), prio);
  rtnl_cls_set_protocol(c.get(), 0);  // "any": libnl's default ETH_P_ALL matches nothing here
  return rtnl_cls_delete(sk, c.get(), 0);
}

// Netfilter, in the probe's scratch namespace: what the packet faults fall
// back to without netem.
void probe_netfilter(KernelCapabilities& caps) {
  auto works = [](const char* what, const std::string& cmds) {
    try {
      nft_here(cmds);
      return true;
    } catch (const std::exception& e) {
      ECLAT_LOG(debug, "tc") << "probe " << what << ": " << e.what();
      return false;
    }
  };
  caps.nft = works("nft", "add table ip eclat_probe\nadd chain ip eclat_probe out { type filter hook output priority 0; }");
  if (caps.nft) {
    caps.nft_numgen = works("nft numgen", "add rule ip eclat_probe out ip daddr 198.18.1.9 numgen random mod 100 < 1 drop");
    caps.nft_dup = works("nft dup", "add rule ip eclat_probe out ip daddr 198.18.1.9 dup to ip daddr");
    caps.nft_reject = works("nft reject",
                            "add rule ip eclat_probe out ip daddr 198.18.1.9 reject with icmp type host-unreachable");
  }
  try {
    std::vector<std::string> argv = {"iptables", "-w", "-A"};
    for (auto& a : DelayQueue::rule(9, "198.18.0.0/15")) argv.push_back(a);
    run_program_here(argv);
    nfq_handle* h = nfq_open();
    nfq_q_handle* q = h ? nfq_create_queue(h, 9, [](nfq_q_handle*, nfgenmsg*, nfq_data*, void*) { return 0; }, nullptr) : nullptr;
    caps.nfqueue = q != nullptr;
    if (!q) caps.nfqueue_error = std::string("cannot bind a netfilter queue: ") + std::strerror(errno);
    if (q) nfq_destroy_queue(q);
    if (h) nfq_close(h);
  } catch (const std::exception& e) {
    caps.nfqueue_error = e.what();
  }
}

// Tries every mechanism in a throw-away network namespace on a scratch veth:
// nothing of it survives the probing thread.
KernelCapabilities probe() {
  KernelCapabilities caps;
  std::exception_ptr error;
  std::thread t([&] {
    try {
      if (::unshare(CLONE_NEWNET) != 0) nl::fail_errno("probe: unshare(CLONE_NEWNET)", errno);
      nl::Sock s = nl::route_socket();
      nl_sock* sk = s.get();
      nl::add_veth_pair(sk, "probe0", "probe1", true);
      nl::set_up(sk, "probe1");
      const int a = nl::ifindex_of(sk, "probe0");
      const int b = nl::ifindex_of(sk, "probe1");
      {
        Qdisc q(rtnl_qdisc_alloc());
        rtnl_tc_set_ifindex(TC_CAST(q.get()), b);
        rtnl_tc_set_parent(TC_CAST(q.get()), TC_H_ROOT);
        rtnl_tc_set_handle(TC_CAST(q.get()), TC_H_MAKE(1u << 16, 0));
        rtnl_tc_set_kind(TC_CAST(q.get()), "netem");
        rtnl_netem_set_delay(q.get(), 1000);  // microseconds
        int err = rtnl_qdisc_add(sk, q.get(), NLM_F_CREATE | NLM_F_EXCL);
        caps.netem = err >= 0;
        if (err < 0) ECLAT_LOG(debug, "tc") << "probe netem: " << nl_geterror(err);
      }
      probe_netfilter(caps);
      int err = add_clsact(sk, a);
      if (err < 0) {
        ECLAT_LOG(warn, "tc") << "probe: clsact qdisc refused: " << nl_geterror(err);
        return;
      }
      err = add_u32_dst(sk, a, 1, "198.18.1.1", nullptr);
      caps.u32 = err >= 0;
      if (err < 0) ECLAT_LOG(debug, "tc") << "probe u32: " << nl_geterror(err);
      if (!caps.u32) return;
      Act g = gact_drop();
      err = add_u32_dst(sk, a, 2, "198.18.1.2", g.get());
      caps.gact = err >= 0;
      if (err < 0) ECLAT_LOG(debug, "tc") << "probe gact: " << nl_geterror(err);
      Act m = mirred_to(b);
      err = add_u32_dst(sk, a, 3, "198.18.1.3", m.get());
      caps.mirred = err >= 0;
      if (err < 0) ECLAT_LOG(debug, "tc") << "probe mirred: " << nl_geterror(err);
    } catch (...) {
      error = std::current_exception();
    }
  });
  t.join();
  if (error) std::rethrow_exception(error);
  if (caps.u32 && caps.gact)
    caps.drop_mechanism = "gact";
  else if (caps.u32 && caps.mirred)
    caps.drop_mechanism = "mirred-sink";
  return caps;
}

// The kernel does not change under a running process: probe once.
KernelCapabilities probe_once() {
  static std::mutex mu;
  static std::optional<KernelCapabilities> caps;
  std::lock_guard lock(mu);
  if (!caps) caps = probe();
  return *caps;
}

}  // namespace

std::string KernelCapabilities::mechanism_for(const std::string& kind, bool per_link) const {
  if (kind == "reject") return nft_reject ? "nft-reject" : "";
  if (netem && !per_link) return "netem";  // delay, reorder, loss, duplicate: the kernel's own
  if (kind == "delay" || kind == "reorder") return nfqueue ? "nfqueue" : "";
  if (kind == "loss") return nft_numgen ? "nft-numgen" : "";
  if (kind == "duplicate") return nft_dup ? "nft-dup" : "";
  return "";
}

nlohmann::json KernelCapabilities::to_json() const {
  nlohmann::json j = {{"netem", netem}, {"gact", gact}, {"mirred", mirred}, {"u32", u32},
                      {"drop_mechanism", drop_mechanism}, {"nft", nft}, {"nft_numgen", nft_numgen},
                      {"nft_dup", nft_dup}, {"nft_reject", nft_reject}, {"nfqueue", nfqueue}};
  if (!nfqueue_error.empty()) j["nfqueue_error"] = nfqueue_error;
  for (const char* kind : {"delay", "reorder", "loss", "duplicate", "reject"}) j["mechanisms"][kind] = mechanism_for(kind);
  return j;
}

std::string KernelCapabilities::describe() const {
  auto yn = [](bool b) { return b ? "yes" : "no"; };
  auto via = [this](const char* kind) {
    std::string m = mechanism_for(kind);
    return std::string(kind) + " via " + (m.empty() ? "NOTHING" : m);
  };
  return std::string("kernel tc: netem=") + yn(netem) + " gact=" + yn(gact) + " mirred=" + yn(mirred) +
         " u32=" + yn(u32) + " nft=" + yn(nft) + " nfqueue=" + yn(nfqueue) + "; silent drop via " +
         (drop_mechanism.empty() ? std::string("NOTHING (no mechanism works)") : drop_mechanism) + ", " +
         via("delay") + ", " + via("reorder") + ", " + via("loss") + ", " + via("duplicate") + ", " + via("reject") +
         (nfqueue ? "" : " (nfqueue: " + nfqueue_error + ")");
}

struct TrafficControl::Impl {
  std::mutex mu;
  nl::Sock sk;
  KernelCapabilities caps;
  std::string mechanism;  // the one in use
  int sink_ifindex = 0;
  std::map<int, std::string> clsact;  // ifindex -> host name, qdiscs we added
  std::set<std::pair<std::string, std::string>> dropped;
};

TrafficControl::TrafficControl(const Network& net) : TrafficControl(net, "") {}

TrafficControl::TrafficControl(const Network& net, const std::string& drop_mechanism)
    : impl_(std::make_unique<Impl>()) {
  (void)net;
  impl_->caps = probe_once();
  ECLAT_LOG(info, "tc") << impl_->caps.describe();
  std::string m = drop_mechanism.empty() ? impl_->caps.drop_mechanism : drop_mechanism;
  if (m.empty()) throw HarnessError("no silent-drop mechanism works on this kernel: " + impl_->caps.describe());
  if (m == "gact") {
    if (!impl_->caps.gact || !impl_->caps.u32)
      throw HarnessError("drop mechanism gact requested but unavailable: " + impl_->caps.describe());
  } else if (m == "mirred-sink") {
    if (!impl_->caps.mirred || !impl_->caps.u32)
      throw HarnessError("drop mechanism mirred-sink requested but unavailable: " + impl_->caps.describe());
  } else {
    throw HarnessError("unknown drop mechanism \"" + m + "\" (gact, mirred-sink)");
  }
  impl_->mechanism = m;
  impl_->sk = nl::route_socket();
  if (m == "mirred-sink") {
    nl_sock* sk = impl_->sk.get();
    nl::delete_link(sk, kSink);  // a leftover of an earlier object
    nl::add_veth_pair(sk, kSink, kSinkPeer, true);
    impl_->sink_ifindex = nl::ifindex_of(sk, kSink);
  }
  if (!drop_mechanism.empty()) ECLAT_LOG(info, "tc") << "silent drop forced to " << m;
}

TrafficControl::~TrafficControl() {
  try {
    heal_all();
  } catch (const std::exception& e) {
    ECLAT_LOG(warn, "tc") << "heal on teardown: " << e.what();
  }
  if (impl_->sink_ifindex) {
    int err = nl::delete_link(impl_->sk.get(), kSink);
    if (err < 0) ECLAT_LOG(warn, "tc") << "deleting " << kSink << ": " << nl_geterror(err);
  }
}

const KernelCapabilities& TrafficControl::capabilities() const { return impl_->caps; }

const std::string& TrafficControl::mechanism() const { return impl_->mechanism; }

void TrafficControl::drop(const Host& from, const Host& to) {
  std::lock_guard lock(impl_->mu);
  auto key = std::make_pair(from.name, to.name);
  if (impl_->dropped.count(key)) return;
  nl_sock* sk = impl_->sk.get();
  const int ifindex = from.control_ifindex;
  if (!impl_->clsact.count(ifindex)) {
    int err = add_clsact(sk, ifindex);
    if (err < 0 && err != -NLE_EXIST) nl::fail("clsact qdisc on " + from.control_ifname, err);
    impl_->clsact[ifindex] = from.name;
  }
  Act act = impl_->mechanism == "gact" ? gact_drop() : mirred_to(impl_->sink_ifindex);
  // One priority per destination: the filter can be removed on its own.
  int err = add_u32_dst(sk, ifindex, static_cast<uint16_t>(to.index), to.ip, act.get());
  if (err < 0)
    nl::fail("drop " + from.name + " -> " + to.name + ": u32 filter on " + from.control_ifname, err);
  impl_->dropped.insert(key);
  ECLAT_LOG(debug, "tc") << "dropping " << from.name << " -> " << to.name << " (" << impl_->mechanism << ")";
}

void TrafficControl::heal(const Host& from, const Host& to) {
  std::lock_guard lock(impl_->mu);
  auto key = std::make_pair(from.name, to.name);
  if (!impl_->dropped.count(key)) return;
  int err = delete_u32(impl_->sk.get(), from.control_ifindex, static_cast<uint16_t>(to.index));
  if (err < 0 && err != -NLE_OBJ_NOTFOUND && err != -NLE_NODEV)
    nl::fail("heal " + from.name + " -> " + to.name, err);
  impl_->dropped.erase(key);
}

void TrafficControl::heal_all() {
  std::lock_guard lock(impl_->mu);
  std::string errors;
  for (auto it = impl_->clsact.begin(); it != impl_->clsact.end();) {
    int err = delete_clsact(impl_->sk.get(), it->first);
    // A host whose interface is gone has nothing left to heal.
    if (err < 0 && err != -NLE_NODEV && err != -NLE_OBJ_NOTFOUND) {
      errors += " " + it->second + ": " + nl_geterror(err);
      ++it;
      continue;
    }
    for (auto d = impl_->dropped.begin(); d != impl_->dropped.end();)
      d = d->first == it->second ? impl_->dropped.erase(d) : std::next(d);
    it = impl_->clsact.erase(it);
  }
  if (!errors.empty()) throw HarnessError("heal_all failed for" + errors);
}

std::set<std::pair<std::string, std::string>> TrafficControl::dropped() const {
  std::lock_guard lock(impl_->mu);
  return impl_->dropped;
}

}  // namespace eclat
