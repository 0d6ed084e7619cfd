// Process and clock faults measured from inside the lab, on a real miroir
// cluster: a killed node is gone, then back; a paused node does not answer,
// then does; a stopped node exited on SIGTERM; a skewed node reports the
// skewed time and the true time again after the heal; a strobed clock flips;
// the heal check notices what is not healed. (Issue 6, acceptance 1.)
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>
#include <set>
#include <sys/wait.h>

#include "cluster/connectivity.hpp"
#include "faults_test_util.hpp"
#include "nemesis/heal_check.hpp"

namespace eclat {
namespace {

using namespace std::chrono_literals;

TEST(ProcessFaults, KillAMajorityThenTheyAreBack) {
  Cluster c(Cluster::Settings{{"kill-targets", "majority"}});
  auto kill = make_fault("kill");
  nlohmann::json v;
  auto nodes = c.started(*kill, v);
  ASSERT_EQ(nodes.size(), 2u) << v.dump();
  for (const auto& n : c.system->db_nodes()) {
    bool hit = std::count(nodes.begin(), nodes.end(), n) > 0;
    EXPECT_EQ(c.system->process(n).running(), !hit) << n;
    EXPECT_EQ(c.answers(n), !hit) << n;
    if (hit) EXPECT_EQ(WTERMSIG(c.system->process(n).last_status()), SIGKILL) << n;
  }
  kill->stop(*c.ctx);
  for (const auto& n : c.system->db_nodes()) EXPECT_TRUE(c.answers(n)) << n << " is not back";
}

TEST(ProcessFaults, PausedNodesDoNotAnswerThenDo) {
  Cluster c(Cluster::Settings{{"pause-targets", "all"}});
  auto pause = make_fault("pause");
  nlohmann::json v;
  auto nodes = c.started(*pause, v);
  ASSERT_EQ(nodes.size(), 3u) << v.dump();
  for (const auto& n : nodes) {
    EXPECT_TRUE(c.system->process(n).running()) << n;  // still there, silent
    EXPECT_FALSE(c.answers(n)) << n << " answered while paused";
  }
  auto healed = check_healed(*c.ctx);
  EXPECT_FALSE(healed["healed"].get<bool>());
  EXPECT_EQ(healed["paused"].size(), 3u) << healed.dump();
  pause->heal(*c.ctx);
  for (const auto& n : nodes) EXPECT_TRUE(c.answers(n)) << n << " did not come back";
  EXPECT_TRUE(check_healed(*c.ctx)["healed"].get<bool>());
}

TEST(ProcessFaults, StopIsGracefulAndOnlyOne) {
  Cluster c(Cluster::Settings{});
  auto stop = make_fault("stop");
  nlohmann::json v;
  auto nodes = c.started(*stop, v);
  ASSERT_EQ(nodes.size(), 1u);
  const int st = c.system->process(nodes[0]).last_status();
  // SIGTERM honoured: the node exited by itself (status 0) or on the signal,
  // not killed after the grace period.
  EXPECT_TRUE((WIFEXITED(st) && WEXITSTATUS(st) == 0) || (WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM)) << st;
  EXPECT_FALSE(c.answers(nodes[0]));
  stop->stop(*c.ctx);
  EXPECT_TRUE(c.answers(nodes[0]));
}

TEST(ClockFaults, ASkewedNodeReportsTheSkewedTimeThenTheTrueTime) {
  Cluster c(Cluster::Settings{{"clock-targets", "all"}, {"clock-skew-ms", "30000"}});
  auto skew = make_fault("clock-skew");
  auto v = skew->start(*c.ctx, skew->plan(*c.ctx));
  ASSERT_EQ(v["offsets_ms"].size(), 3u) << v.dump();
  std::set<long> distinct;
  for (const auto& [node, ms] : v["offsets_ms"].items()) {
    EXPECT_NEAR(c.offset_ms(node), ms.get<double>(), 100) << node;
    distinct.insert(std::lround(ms.get<double>()));
  }
  EXPECT_EQ(distinct.size(), 3u) << "every node gets its own offset";
  skew->stop(*c.ctx);
  for (const auto& n : c.system->db_nodes()) EXPECT_NEAR(c.offset_ms(n), 0, 100) << n;
}

TEST(ClockFaults, BumpMovesEveryTargetByTheSameJump) {
  Cluster c(Cluster::Settings{{"clock-targets", "majority"}, {"clock-bump-ms", "600000"}});
  auto bump = make_fault("clock-bump");
  auto v = bump->start(*c.ctx, bump->plan(*c.ctx));
  ASSERT_EQ(v["offsets_ms"].size(), 2u) << v.dump();
  for (const auto& [node, ms] : v["offsets_ms"].items()) EXPECT_NEAR(c.offset_ms(node), ms.get<double>(), 100);
  auto healed = check_healed(*c.ctx);
  EXPECT_FALSE(healed["healed"].get<bool>()) << healed.dump();
  EXPECT_EQ(healed["clocks_off"].size(), 2u) << healed.dump();
  bump->heal(*c.ctx);
  EXPECT_TRUE(check_healed(*c.ctx)["healed"].get<bool>());
}

TEST(ClockFaults, StrobeFlipsTheClockBackAndForth) {
  Cluster c(Cluster::Settings{{"clock-targets", "one"}, {"clock-strobe-ms", "5000"}, {"clock-strobe-period-ms", "20"}});
  auto strobe = make_fault("clock-strobe");
  auto plan = strobe->plan(*c.ctx);
  plan["offsets_ms"] = {{plan["offsets_ms"].begin().key(), 5000.0}};
  auto v = strobe->start(*c.ctx, plan);
  const std::string node = v["offsets_ms"].begin().key();
  int shifted = 0, true_time = 0;
  for (int i = 0; i < 60; ++i) {
    double off = c.offset_ms(node);
    if (std::fabs(off - 5000) < 100) ++shifted;
    if (std::fabs(off) < 100) ++true_time;
    std::this_thread::sleep_for(7ms);
  }
  auto r = strobe->stop(*c.ctx);
  EXPECT_GT(shifted, 5);
  EXPECT_GT(true_time, 5);
  EXPECT_GT(r["flips"].get<int>(), 10) << r.dump();
  EXPECT_NEAR(c.offset_ms(node), 0, 100);
}

TEST(HealCheck, SeesACutLinkThenFullConnectivity) {
  Cluster c(Cluster::Settings{});
  c.tc->drop(c.net.host("n1"), c.net.host("n2"));
  auto r = check_healed(*c.ctx);
  EXPECT_FALSE(r["healed"].get<bool>());
  // TCP needs both directions: the cut shows from both sides.
  EXPECT_EQ(r["broken_links"], nlohmann::json::parse(R"([["n1","n2"],["n2","n1"]])")) << r.dump();
  c.tc->heal_all();
  EXPECT_TRUE(broken_links(c.net).empty());
  EXPECT_TRUE(check_healed(*c.ctx)["healed"].get<bool>());
}

}  // namespace
}  // namespace eclat
