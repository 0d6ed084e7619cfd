// Silent one-directional drops with tc on the lab's veths, real packets.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <map>

#include "cluster/network.hpp"
#include "cluster/traffic_control.hpp"
#include "cluster_test_util.hpp"
#include "core/errors.hpp"

namespace eclat {
namespace {

using namespace std::chrono_literals;
using testing::Conn;

constexpr uint16_t kPort = 7101;
constexpr uint16_t kUdp = 7102;

struct Lab {
  Network net;
  const Host& a = net.add_host("a", 1);
  const Host& b = net.add_host("b", 2);
  const Host& c = net.add_host("c", 3);
  std::map<std::string, int> listeners;
  int control_listener = -1;

  Lab() {
    for (const Host* h : net.hosts()) net.run_in(*h, [&] { listeners[h->name] = testing::tcp_listen(kPort); });
    control_listener = testing::tcp_listen(kPort);
  }
  ~Lab() {
    for (auto& [_, fd] : listeners) close(fd);
    close(control_listener);
  }
  Conn connect(const Host& from, const Host& to, std::chrono::milliseconds t = 1500ms) {
    Conn r{};
    net.run_in(from, [&] { r = testing::tcp_connect(to.ip, kPort, t); });
    return r;
  }
  Conn connect_from_control(const Host& to) { return testing::tcp_connect(to.ip, kPort, 1500ms); }
  // Sends one datagram from -> to right away; true when it arrived.
  bool udp_delivered(const Host& from, const Host& to) {
    int fd = -1;
    net.run_in(to, [&] { fd = testing::udp_bind(kUdp); });
    net.run_in(from, [&] { testing::udp_send(to.ip, kUdp, "ping"); });
    bool got = testing::udp_recv(fd, 300ms) == "ping";
    close(fd);
    return got;
  }
};

void expect_fully_connected(Lab& lab) {
  for (const Host* x : lab.net.hosts()) {
    for (const Host* y : lab.net.hosts())
      if (x != y) {
        EXPECT_EQ(lab.connect(*x, *y), Conn::ok) << x->name << " -> " << y->name;
      }
    EXPECT_EQ(lab.connect_from_control(*x), Conn::ok) << "control -> " << x->name;
  }
}

TEST(ClusterTrafficControl, ProbeReportsAMechanism) {
  Network net;
  TrafficControl tc(net);
  const auto& caps = tc.capabilities();
  std::cout << "[probe] " << caps.describe() << "\n";
  RecordProperty("probe", caps.describe());
  EXPECT_TRUE(caps.u32);
  EXPECT_FALSE(caps.drop_mechanism.empty());
  EXPECT_EQ(tc.mechanism(), caps.drop_mechanism);
  if (caps.gact) {
    EXPECT_EQ(caps.drop_mechanism, "gact");
  }
  EXPECT_THROW(TrafficControl(net, "carrier-pigeon"), HarnessError);
}

class ClusterTrafficControlDrop : public ::testing::TestWithParam<std::string> {};

TEST_P(ClusterTrafficControlDrop, PartitionIsSilentAndHeals) {
  Lab lab;
  std::unique_ptr<TrafficControl> tc;
  {
    TrafficControl probe_only(lab.net);
    const auto& caps = probe_only.capabilities();
    if ((GetParam() == "gact" && !caps.gact) || (GetParam() == "mirred-sink" && !caps.mirred))
      GTEST_SKIP() << GetParam() << " not available here: " << caps.describe();
  }
  tc = std::make_unique<TrafficControl>(lab.net, GetParam());
  std::cout << "[mechanism] silent drop via " << tc->mechanism() << "\n";
  RecordProperty("mechanism", tc->mechanism());

  expect_fully_connected(lab);

  tc->drop(lab.a, lab.b);
  tc->drop(lab.b, lab.a);
  tc->drop(lab.a, lab.b);  // idempotent
  EXPECT_EQ(tc->dropped(), (std::set<std::pair<std::string, std::string>>{{"a", "b"}, {"b", "a"}}));

  // Silent: the connect times out (no RST, no ICMP error).
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(lab.connect(lab.a, lab.b, 800ms), Conn::timeout);
  EXPECT_EQ(lab.connect(lab.b, lab.a, 800ms), Conn::timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 1500ms);
  // Everything else still works.
  EXPECT_EQ(lab.connect(lab.a, lab.c), Conn::ok);
  EXPECT_EQ(lab.connect(lab.c, lab.a), Conn::ok);
  EXPECT_EQ(lab.connect(lab.b, lab.c), Conn::ok);
  EXPECT_EQ(lab.connect(lab.c, lab.b), Conn::ok);
  EXPECT_EQ(lab.connect_from_control(lab.a), Conn::ok);
  EXPECT_EQ(lab.connect_from_control(lab.b), Conn::ok);
  Conn to_control{};
  lab.net.run_in(lab.a, [&] { to_control = testing::tcp_connect(Network::kControlIp, kPort, 1500ms); });
  EXPECT_EQ(to_control, Conn::ok);

  tc->heal_all();
  EXPECT_TRUE(tc->dropped().empty());
  expect_fully_connected(lab);
}

TEST_P(ClusterTrafficControlDrop, OneDirectionOnlyAndImmediate) {
  Lab lab;
  {
    TrafficControl probe_only(lab.net);
    const auto& caps = probe_only.capabilities();
    if ((GetParam() == "gact" && !caps.gact) || (GetParam() == "mirred-sink" && !caps.mirred))
      GTEST_SKIP() << GetParam() << " not available here";
  }
  TrafficControl tc(lab.net, GetParam());
  // Warm ARP so the first datagram is not held back by resolution.
  EXPECT_TRUE(lab.udp_delivered(lab.a, lab.b));
  EXPECT_TRUE(lab.udp_delivered(lab.b, lab.a));

  tc.drop(lab.a, lab.b);
  // The first datagram after drop() returned is already lost.
  EXPECT_FALSE(lab.udp_delivered(lab.a, lab.b));
  EXPECT_TRUE(lab.udp_delivered(lab.b, lab.a));
  EXPECT_TRUE(lab.udp_delivered(lab.a, lab.c));
  // TCP needs both directions: a dropped edge fails connects both ways.
  EXPECT_EQ(lab.connect(lab.b, lab.a, 600ms), Conn::timeout);

  tc.drop(lab.a, lab.c);
  tc.heal(lab.a, lab.b);  // only that edge
  EXPECT_TRUE(lab.udp_delivered(lab.a, lab.b));
  EXPECT_FALSE(lab.udp_delivered(lab.a, lab.c));
  EXPECT_EQ(tc.dropped(), (std::set<std::pair<std::string, std::string>>{{"a", "c"}}));
  tc.heal_all();
  EXPECT_TRUE(lab.udp_delivered(lab.a, lab.c));
  EXPECT_EQ(lab.connect(lab.a, lab.b), Conn::ok);
}

TEST(ClusterTrafficControl, DestructorHeals) {
  Lab lab;
  {
    TrafficControl tc(lab.net);
    tc.drop(lab.a, lab.b);
    EXPECT_FALSE(lab.udp_delivered(lab.a, lab.b));
  }
  EXPECT_TRUE(lab.udp_delivered(lab.a, lab.b));
  TrafficControl again(lab.net);  // the sink name is free again
  again.drop(lab.c, lab.a);
  EXPECT_FALSE(lab.udp_delivered(lab.c, lab.a));
}

INSTANTIATE_TEST_SUITE_P(Mechanisms, ClusterTrafficControlDrop, ::testing::Values("gact", "mirred-sink"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace eclat
