// Small RAII helpers around libnl for the cluster code (internal header).
#pragma once
#include <linux/if.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "core/errors.hpp"

namespace eclat::nl {

struct SockDeleter {
  void operator()(nl_sock* s) const { nl_socket_free(s); }
};
using Sock = std::unique_ptr<nl_sock, SockDeleter>;

struct LinkDeleter {
  void operator()(rtnl_link* l) const { rtnl_link_put(l); }
};
using Link = std::unique_ptr<rtnl_link, LinkDeleter>;

[[noreturn]] inline void fail(const std::string& what, int nlerr) {
  throw HarnessError(what + ": " + nl_geterror(nlerr) + " (libnl " + std::to_string(nlerr) +
                     "; NLCB=debug shows the messages)");
}

[[noreturn]] inline void fail_errno(const std::string& what, int err) {
  throw HarnessError(what + ": " + std::strerror(err));
}

// A NETLINK_ROUTE socket in the calling thread's network namespace.
inline Sock route_socket() {
  Sock s(nl_socket_alloc());
  if (!s) throw HarnessError("nl_socket_alloc failed");
  int err = nl_connect(s.get(), NETLINK_ROUTE);
  if (err < 0) fail("nl_connect(NETLINK_ROUTE)", err);
  return s;
}

inline int ifindex_of(nl_sock* sk, const std::string& name) {
  rtnl_link* l = nullptr;
  int err = rtnl_link_get_kernel(sk, 0, name.c_str(), &l);
  if (err < 0) fail("rtnl_link_get_kernel(" + name + ")", err);
  int idx = rtnl_link_get_ifindex(l);
  rtnl_link_put(l);
  return idx;
}

// Sets IFF_UP (or clears it) on an existing interface.
inline void set_up(nl_sock* sk, const std::string& name, bool up = true) {
  rtnl_link* l = nullptr;
  int err = rtnl_link_get_kernel(sk, 0, name.c_str(), &l);
  if (err < 0) fail("rtnl_link_get_kernel(" + name + ")", err);
  Link orig(l);
  Link change(rtnl_link_alloc());
  if (up)
    rtnl_link_set_flags(change.get(), IFF_UP);
  else
    rtnl_link_unset_flags(change.get(), IFF_UP);
  err = rtnl_link_change(sk, orig.get(), change.get(), 0);
  if (err < 0) fail("rtnl_link_change(" + name + (up ? ", up)" : ", down)"), err);
}

// Deletes an interface by name; a missing interface is not an error.
inline int delete_link(nl_sock* sk, const std::string& name) {
  Link l(rtnl_link_alloc());
  rtnl_link_set_name(l.get(), name.c_str());
  int err = rtnl_link_delete(sk, l.get());
  if (err == -NLE_NODEV || err == -NLE_OBJ_NOTFOUND) return 0;
  return err;
}

// A veth pair with both ends in the calling namespace, `a` up, `b` down.
inline void add_veth_pair(nl_sock* sk, const std::string& a, const std::string& b, bool a_up) {
  Link veth(rtnl_link_veth_alloc());
  if (!veth) throw HarnessError("rtnl_link_veth_alloc failed");
  rtnl_link_set_name(veth.get(), a.c_str());
  if (a_up) rtnl_link_set_flags(veth.get(), IFF_UP);
  {
    Link peer(rtnl_link_veth_get_peer(veth.get()));
    rtnl_link_set_name(peer.get(), b.c_str());
  }
  int err = rtnl_link_add(sk, veth.get(), NLM_F_CREATE | NLM_F_EXCL);
  if (err < 0) fail("rtnl_link_add(veth " + a + " <-> " + b + ")", err);
}

}  // namespace eclat::nl
