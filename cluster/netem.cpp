#include "cluster/netem.hpp"

#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/tc.h>

#include <algorithm>
#include <cmath>

#include "cluster/netlink_util.hpp"
#include "core/errors.hpp"

namespace eclat {
namespace {

constexpr uint32_t kRoot = 0x00010000;  // handle 1:

rtnl_qdisc* root_qdisc(nl_sock* sk) {
  rtnl_qdisc* q = rtnl_qdisc_alloc();
  rtnl_tc_set_ifindex(TC_CAST(q), nl::ifindex_of(sk, "eth0"));
  rtnl_tc_set_parent(TC_CAST(q), TC_H_ROOT);
  rtnl_tc_set_handle(TC_CAST(q), kRoot);
  rtnl_tc_set_kind(TC_CAST(q), "netem");
  return q;
}

// netem takes probabilities as a fraction of 2^32 - 1.
uint32_t probability(double percent) {
  return static_cast<uint32_t>(std::llround(std::clamp(percent, 0.0, 100.0) / 100.0 * 4294967295.0));
}

}  // namespace

std::string destinations_iptables(const NetemParams& p) {
  std::string out;
  for (const auto& ip : p.to_ips) out += (out.empty() ? "" : ",") + ip;
  return out.empty() ? "198.18.0.0/15" : out;
}

std::string destinations_nft(const NetemParams& p) {
  std::string out;
  for (const auto& ip : p.to_ips) out += (out.empty() ? "" : ", ") + ip;
  return out.empty() ? "198.18.0.0/15" : "{ " + out + " }";
}

void netem_set(const Network& net, const Host& host, const NetemParams& p) {
  net.run_in(host, [&] {
    nl::Sock s = nl::route_socket();
    rtnl_qdisc* q = root_qdisc(s.get());
    rtnl_netem_set_delay(q, static_cast<int>(p.delay_ms * 1000));  // microseconds
    if (p.jitter_ms > 0) rtnl_netem_set_jitter(q, static_cast<int>(p.jitter_ms * 1000));
    if (p.loss_percent > 0) rtnl_netem_set_loss(q, static_cast<int>(probability(p.loss_percent)));
    if (p.duplicate_percent > 0) rtnl_netem_set_duplicate(q, static_cast<int>(probability(p.duplicate_percent)));
    rtnl_netem_set_limit(q, 100000);
    int err = rtnl_qdisc_add(s.get(), q, NLM_F_CREATE | NLM_F_REPLACE);
    rtnl_qdisc_put(q);
    if (err < 0) nl::fail("netem on " + host.name, err);
  });
}

void netem_clear(const Network& net, const Host& host) {
  net.run_in(host, [&] {
    nl::Sock s = nl::route_socket();
    rtnl_qdisc* q = root_qdisc(s.get());
    int err = rtnl_qdisc_delete(s.get(), q);
    rtnl_qdisc_put(q);
    if (err < 0 && err != -NLE_OBJ_NOTFOUND && err != -NLE_INVAL && err != -NLE_NOADDR)
      nl::fail("removing netem on " + host.name, err);
  });
}

}  // namespace eclat
