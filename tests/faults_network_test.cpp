// Network faults measured from inside the lab with real packets (issue 6,
// acceptance 1): after each partition shape the connectivity matrix (TCP
// connects between every pair of hosts) is the grudge's; a one-way cut lets
// datagrams through the other way; reject fails connects at once; delay
// raises the round trip by the configured amount (±20 %); loss delivers
// within a few points of the configured ratio; duplicate and reorder show in
// sequence numbers. Every fault leaves the lab fully connected once stopped.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "cluster/connectivity.hpp"
#include "cluster_test_util.hpp"
#include "faults_test_util.hpp"
#include "nemesis/grudge.hpp"

namespace eclat {
namespace {

using namespace std::chrono_literals;
using Links = std::set<std::pair<std::string, std::string>>;

// A TCP connection needs packets both ways: a link dropped either way fails
// connects both ways.
Links tcp_broken(const grudge::Grudge& g) {
  Links out;
  for (const auto& [from, to] : grudge::dropped_links(g)) {
    out.emplace(from, to);
    out.emplace(to, from);
  }
  return out;
}

TEST(PartitionFaults, EachShapeCutsExactlyItsGrudgeThenHeals) {
  Cluster c(Cluster::Settings{{"clog-swizzle-step", "0.05"}}, 5);
  for (const std::string shape : {"partition-halves", "partition-random-halves", "partition-one",
                                  "partition-majorities-ring", "partition-bridge", "partition-one-way",
                                  "clog-swizzle"}) {
    SCOPED_TRACE(shape);
    auto f = make_fault(shape);
    auto v = f->start(*c.ctx, f->plan(*c.ctx));
    const auto g = grudge::from_json(v.at("grudge"));
    ASSERT_FALSE(grudge::dropped_links(g).empty()) << v.dump();
    EXPECT_EQ(broken_links(c.net, 7199, 300ms), tcp_broken(g)) << v.dump();
    f->stop(*c.ctx);
    EXPECT_TRUE(broken_links(c.net, 7199, 300ms).empty());
  }
}

TEST(PartitionFaults, MajoritiesRingLetsEveryNodeSeeADifferentMajority) {
  Cluster c(Cluster::Settings{}, 5);
  auto f = make_fault("partition-majorities-ring");
  f->start(*c.ctx, f->plan(*c.ctx));
  const Links broken = broken_links(c.net, 7199, 300ms);
  std::set<std::set<std::string>> views;
  for (const auto& n : c.system->db_nodes()) {
    std::set<std::string> sees = {n};
    for (const auto& m : c.system->db_nodes())
      if (m != n && !broken.count({n, m})) sees.insert(m);
    EXPECT_EQ(sees.size(), 3u) << n;
    views.insert(sees);
  }
  EXPECT_EQ(views.size(), 5u);
  f->heal(*c.ctx);
}

TEST(PartitionFaults, OneWayDropsDatagramsOneWayOnly) {
  Cluster c(Cluster::Settings{});
  auto f = make_fault("partition-one-way");
  auto v = f->start(*c.ctx, f->plan(*c.ctx));
  const auto links = grudge::dropped_links(grudge::from_json(v["grudge"]));
  ASSERT_EQ(links.size(), 1u);
  const Host& a = c.net.host(links.begin()->first);
  const Host& b = c.net.host(links.begin()->second);
  auto delivered = [&](const Host& from, const Host& to) {
    int fd = -1;
    c.net.run_in(to, [&] { fd = testing::udp_bind(7202); });
    c.net.run_in(from, [&] { testing::udp_send(to.ip, 7202, "ping"); });
    bool got = testing::udp_recv(fd, 300ms) == "ping";
    close(fd);
    return got;
  };
  EXPECT_FALSE(delivered(a, b)) << a.name << " -> " << b.name << " should be cut";
  EXPECT_TRUE(delivered(b, a)) << b.name << " -> " << a.name << " should still arrive";
  f->stop(*c.ctx);
  EXPECT_TRUE(delivered(a, b));
}

TEST(RejectFault, ConnectsFailAtOnceThenWork) {
  Cluster c(Cluster::Settings{});
  auto f = make_fault("reject");
  auto v = f->start(*c.ctx, f->plan(*c.ctx));
  const Host& target = c.net.host(v["nodes"][0].get<std::string>());
  const Host& other = c.net.host(target.name == "n1" ? "n2" : "n1");
  for (auto [from, to] : {std::pair{&other, &target}, std::pair{&target, &other}}) {
    testing::Conn r{};
    const auto t0 = std::chrono::steady_clock::now();
    c.net.run_in(*from, [&] { r = testing::tcp_connect(to->ip, 7700, 2000ms); });
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(r, testing::Conn::unreachable) << from->name << " -> " << to->name << ": " << testing::to_string(r);
    EXPECT_LT(took, 200ms) << "a rejected connect fails fast, it does not time out";
  }
  f->stop(*c.ctx);
  testing::Conn r{};
  c.net.run_in(other, [&] { r = testing::tcp_connect(target.ip, 7700, 2000ms); });
  EXPECT_EQ(r, testing::Conn::ok);
}

// Median time of a TCP connect from the control process to the node: one
// round trip (the node's SYN-ACK is what the fault shapes).
double connect_ms(const Host& node) {
  std::vector<double> t;
  for (int i = 0; i < 15; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(testing::tcp_connect(node.ip, 7700, 3000ms), testing::Conn::ok);
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

TEST(PacketFaults, DelayRaisesTheRoundTripByTheConfiguredAmount) {
  Cluster c(Cluster::Settings{{"delay-ms", "100"}, {"delay-jitter-ms", "0"}});
  const Host& n1 = c.net.host("n1");
  const double before = connect_ms(n1);
  auto f = make_fault("delay");
  f->prepare(*c.ctx);
  auto plan = f->plan(*c.ctx);
  plan["nodes"] = {"n1"};
  auto v = f->start(*c.ctx, plan);
  const double during = connect_ms(n1);
  f->stop(*c.ctx);
  const double after = connect_ms(n1);
  std::cout << "round trip " << before << " ms, with delay 100 ms (" << v["mechanism"] << "): " << during
            << " ms, after: " << after << " ms\n";
  EXPECT_NEAR(during - before, 100, 20);
  EXPECT_LT(after, before + 20);
}

TEST(PacketFaults, DelayOnOneLinkLeavesTheOthersAlone) {
  Cluster c(Cluster::Settings{{"delay-ms", "100"}, {"delay-jitter-ms", "0"}, {"delay-to", "n2"}});
  auto f = make_fault("delay");
  f->prepare(*c.ctx);
  auto plan = f->plan(*c.ctx);
  plan["nodes"] = {"n1"};
  auto v = f->start(*c.ctx, plan);
  EXPECT_EQ(v["to"], nlohmann::json({"n2"}));
  // n1's answers to n2 are late; to the control process and n3 they are not.
  auto connect_from = [&](const std::string& from) {
    double ms = 0;
    c.net.run_in(c.net.host(from), [&] { ms = connect_ms(c.net.host("n1")); });
    return ms;
  };
  EXPECT_NEAR(connect_from("n2"), 100, 20);
  EXPECT_LT(connect_from("n3"), 20);
  EXPECT_LT(connect_ms(c.net.host("n1")), 20);
  f->stop(*c.ctx);
  EXPECT_LT(connect_from("n2"), 20);
}

// Datagrams numbered 0..n-1 sent by `from` to the control process, paced,
// and read as they come (unprivileged, the receive buffer cannot be made
// large enough to hold them all); returns the sequence numbers received.
std::vector<int> send_numbered(Cluster& c, const Host& from, int n, std::chrono::microseconds gap) {
  int fd = testing::udp_bind(7203);
  std::vector<int> got;
  std::thread reader([&] {
    for (;;) {
      std::string m = testing::udp_recv(fd, 500ms);
      if (m.empty()) break;
      got.push_back(std::stoi(m));
    }
  });
  c.net.run_in(from, [&] {
    for (int i = 0; i < n; ++i) {
      testing::udp_send(Network::kControlIp, 7203, std::to_string(i));
      std::this_thread::sleep_for(gap);
    }
  });
  reader.join();
  close(fd);
  return got;
}

TEST(PacketFaults, LossDeliversAboutTheConfiguredShare) {
  Cluster c(Cluster::Settings{{"loss-percent", "30"}});
  auto f = make_fault("loss");
  f->prepare(*c.ctx);
  auto plan = f->plan(*c.ctx);
  plan["nodes"] = {"n2"};
  f->start(*c.ctx, plan);
  const auto got = send_numbered(c, c.net.host("n2"), 3000, 100us);
  f->stop(*c.ctx);
  const double delivered = got.size() / 3000.0;
  std::cout << "loss 30 %: delivered " << delivered << "\n";
  EXPECT_NEAR(delivered, 0.70, 0.04);
  EXPECT_EQ(send_numbered(c, c.net.host("n2"), 200, 100us).size(), 200u) << "healed";
}

TEST(PacketFaults, DuplicateSendsSomePacketsTwice) {
  Cluster c(Cluster::Settings{{"duplicate-percent", "50"}});
  auto f = make_fault("duplicate");
  f->prepare(*c.ctx);
  auto plan = f->plan(*c.ctx);
  plan["nodes"] = {"n3"};
  f->start(*c.ctx, plan);
  const auto got = send_numbered(c, c.net.host("n3"), 2000, 100us);
  f->stop(*c.ctx);
  std::set<int> distinct(got.begin(), got.end());
  EXPECT_EQ(distinct.size(), 2000u) << "nothing lost";
  const double ratio = got.size() / 2000.0;
  std::cout << "duplicate 50 %: " << ratio << " copies per packet\n";
  EXPECT_NEAR(ratio, 1.5, 0.05);
}

TEST(PacketFaults, ReorderLetsPacketsOvertakeEachOther) {
  Cluster c(Cluster::Settings{{"reorder-ms", "20"}});
  auto f = make_fault("reorder");
  f->prepare(*c.ctx);
  auto plan = f->plan(*c.ctx);
  plan["nodes"] = {"n1"};
  f->start(*c.ctx, plan);
  const auto got = send_numbered(c, c.net.host("n1"), 500, 500us);
  f->stop(*c.ctx);
  int overtaken = 0;
  for (size_t i = 1; i < got.size(); ++i) overtaken += got[i] < got[i - 1];
  EXPECT_EQ(got.size(), 500u) << "reorder loses nothing";
  EXPECT_GT(overtaken, 50) << "out of 500";
}

TEST(PacketFaults, NetemIsPreferredWhereTheKernelHasIt) {
  Cluster c(Cluster::Settings{{"delay-ms", "50"}, {"delay-jitter-ms", "0"}});
  if (!c.tc->capabilities().netem) GTEST_SKIP() << "this kernel has no netem qdisc: the NFQUEUE and nft fallbacks are tested above";
  auto f = make_fault("delay");
  f->prepare(*c.ctx);
  const double before = connect_ms(c.net.host("n1"));
  auto plan = f->plan(*c.ctx);
  plan["nodes"] = {"n1"};
  auto v = f->start(*c.ctx, plan);
  EXPECT_EQ(v["mechanism"], "netem");
  EXPECT_NEAR(connect_ms(c.net.host("n1")) - before, 50, 10);
  f->stop(*c.ctx);
}

}  // namespace
}  // namespace eclat
