// The lab network with real kernel objects: bridge, veths, namespaces, TCP.
#include <gtest/gtest.h>
#include <net/if.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <map>

#include "cluster/lab.hpp"
#include "cluster/network.hpp"
#include "cluster_test_util.hpp"
#include "core/errors.hpp"

namespace eclat {
namespace {

using namespace std::chrono_literals;
using testing::Conn;

TEST(ClusterNetwork, RunsInsideTheLab) {
  EXPECT_TRUE(lab::inside());
  EXPECT_EQ(getpid(), 1);  // PID 1 of the lab's pid namespace
}

TEST(ClusterNetwork, ThreeHostsAllPairsConnect) {
  Network net;
  const Host& n1 = net.add_host("n1", 1);
  const Host& n2 = net.add_host("n2", 2);
  const Host& n3 = net.add_host("n3", 3);
  EXPECT_EQ(n2.ip, "198.18.0.2");
  EXPECT_EQ(n3.control_ifname, "vh-n3");
  EXPECT_EQ(net.hosts().size(), 3u);
  EXPECT_EQ(&net.host("n2"), &n2);
  EXPECT_THROW(net.host("zz"), std::out_of_range);
  EXPECT_THROW(net.add_host("n1", 9), HarnessError);
  EXPECT_THROW(net.add_host("n9", 2), HarnessError);

  // Each host has its own namespace, distinct from the control one.
  struct stat self {};
  ASSERT_EQ(stat("/proc/thread-self/ns/net", &self), 0);
  for (const Host* h : net.hosts()) {
    struct stat st {};
    ASSERT_EQ(fstat(h->netns_fd, &st), 0);
    EXPECT_NE(st.st_ino, self.st_ino);
    EXPECT_GT(h->control_ifindex, 0);
    EXPECT_EQ(static_cast<int>(if_nametoindex(h->control_ifname.c_str())), h->control_ifindex);
  }

  constexpr uint16_t kPort = 7001;
  std::map<std::string, int> listeners;
  for (const Host* h : net.hosts()) net.run_in(*h, [&] { listeners[h->name] = testing::tcp_listen(kPort); });
  int control_listener = testing::tcp_listen(kPort);

  for (const Host* from : net.hosts()) {
    for (const Host* to : net.hosts()) {
      if (from == to) continue;
      Conn c{};
      net.run_in(*from, [&] { c = testing::tcp_connect(to->ip, kPort, 2000ms); });
      EXPECT_EQ(c, Conn::ok) << from->name << " -> " << to->name << ": " << testing::to_string(c);
    }
    // host -> control
    Conn c{};
    net.run_in(*from, [&] { c = testing::tcp_connect(Network::kControlIp, kPort, 2000ms); });
    EXPECT_EQ(c, Conn::ok) << from->name << " -> control";
  }
  for (const Host* to : net.hosts()) {
    Conn c = testing::tcp_connect(to->ip, kPort, 2000ms);
    EXPECT_EQ(c, Conn::ok) << "control -> " << to->name << ": " << testing::to_string(c);
  }
  // A port nobody listens on is refused (the network itself works).
  Conn refused{};
  net.run_in(n1, [&] { refused = testing::tcp_connect(n3.ip, kPort + 1, 2000ms); });
  EXPECT_EQ(refused, Conn::refused);

  for (auto& [_, fd] : listeners) close(fd);
  close(control_listener);
}

TEST(ClusterNetwork, NoRouteLeavesTheLab) {
  Network net;
  const Host& n1 = net.add_host("n1", 1);
  Conn c{};
  int err = 0;
  net.run_in(n1, [&] { c = testing::tcp_connect("1.1.1.1", 80, 500ms, &err); });
  EXPECT_EQ(c, Conn::unreachable) << strerror(err);
  c = testing::tcp_connect("1.1.1.1", 80, 500ms, &err);
  EXPECT_EQ(c, Conn::unreachable) << "control namespace: " << strerror(err);
}

TEST(ClusterNetwork, RunInRethrows) {
  Network net;
  const Host& n1 = net.add_host("n1", 1);
  EXPECT_THROW(net.run_in(n1, [] { throw std::runtime_error("boom"); }), std::runtime_error);
}

TEST(ClusterNetwork, LongNamesGetAShortInterface) {
  Network net;
  const Host& h = net.add_host("orchestrator-one", 7);
  EXPECT_LE(h.control_ifname.size(), 15u);
  EXPECT_EQ(h.control_ifname, "vh-h7");
}

// Figures: time to build a 4-host lab network and to tear it down.
TEST(ClusterNetwork, BuildAndTeardownTimeFourHosts) {
  using clock = std::chrono::steady_clock;
  double best_build = 1e9, best_down = 1e9, sum_build = 0, sum_down = 0;
  constexpr int kRounds = 5;
  for (int round = 0; round < kRounds; ++round) {
    auto t0 = clock::now();
    auto net = std::make_unique<Network>();
    for (int i = 1; i <= 4; ++i) net->add_host("n" + std::to_string(i), i);
    auto t1 = clock::now();
    net.reset();
    auto t2 = clock::now();
    double build = std::chrono::duration<double, std::milli>(t1 - t0).count();
    double down = std::chrono::duration<double, std::milli>(t2 - t1).count();
    best_build = std::min(best_build, build);
    best_down = std::min(best_down, down);
    sum_build += build;
    sum_down += down;
    // The names are free again: the next round reuses them.
  }
  std::cout << "[figures] 4-host lab network: build mean " << sum_build / kRounds << " ms (best "
            << best_build << "), teardown mean " << sum_down / kRounds << " ms (best " << best_down
            << ") over " << kRounds << " rounds\n";
  RecordProperty("build_ms_mean", std::to_string(sum_build / kRounds));
  RecordProperty("teardown_ms_mean", std::to_string(sum_down / kRounds));
  EXPECT_LT(best_build, 2000);
}

}  // namespace
}  // namespace eclat
