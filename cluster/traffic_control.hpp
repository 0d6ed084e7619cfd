// Packet faults with tc through libnl, all on the bridge-side veth ends in the
// control namespace (no setns needed, and they vanish with the lab).
//
// The kernel capability probe runs once: it tries a netem qdisc and a gact
// action on a scratch veth and records what the kernel accepted. A silent drop
// uses gact (TC_ACT_SHOT) where present, else a mirred redirect to a sink veth
// whose peer is down (the kernel drops what it redirects there).
#pragma once
#include <memory>
#include <set>
#include <string>

#include <nlohmann/json.hpp>
#include <utility>

#include "cluster/network.hpp"

namespace eclat {

struct KernelCapabilities {
  bool netem = false;   // qdisc netem (delay, loss, duplicate, reorder)
  bool gact = false;    // action gact (drop)
  bool mirred = false;  // action mirred (redirect)
  bool u32 = false;     // classifier u32
  std::string drop_mechanism;  // "gact" | "mirred-sink" | "" when none works
  // Netfilter inside a host's namespace (the fallbacks where netem is missing).
  bool nft = false;          // nftables tables and chains
  bool nft_numgen = false;   // random numbers in rules (loss)
  bool nft_dup = false;      // dup to (duplicate)
  bool nft_reject = false;   // reject with icmp (reject)
  bool nfqueue = false;      // iptables NFQUEUE target and a queue reader (delay, reorder)
  std::string nfqueue_error;  // why not, when not
  // The mechanism a packet fault uses: kind is "delay", "reorder", "loss",
  // "duplicate" or "reject"; "" when the kernel offers none.
  // `per_link`: only some destinations (netem shapes a whole interface).
  std::string mechanism_for(const std::string& kind, bool per_link = false) const;
  std::string describe() const;  // one line for the run log
  nlohmann::json to_json() const;  // for results.json: what this host's kernel could do
};

class TrafficControl {
 public:
  // Probes the kernel (logs the result) and prepares the chosen mechanism.
  // Throws HarnessError when no silent-drop mechanism works.
  explicit TrafficControl(const Network& net);
  // Same, but uses the named drop mechanism ("gact" | "mirred-sink"; "" picks
  // the best one): tests exercise each path the kernel allows. Throws
  // HarnessError when the kernel lacks it.
  TrafficControl(const Network& net, const std::string& drop_mechanism);
  ~TrafficControl();  // heals everything, removes the sink

  const KernelCapabilities& capabilities() const;
  const std::string& mechanism() const;  // the drop mechanism in use

  // Silently drop IPv4 packets sent by `from` to `to` (one direction).
  // Idempotent. Takes effect before it returns.
  void drop(const Host& from, const Host& to);
  // Stop dropping from -> to (the other directed links stay as they are).
  void heal(const Host& from, const Host& to);
  // Remove every filter this object installed; the lab is fully connected again.
  void heal_all();
  // The directed links currently dropped, as (from, to) host names.
  std::set<std::pair<std::string, std::string>> dropped() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eclat
