// The orchestrator's parts, in-process: the node state machine (every move
// of the table, legal or not), the probe thresholds, the retry cache of
// --bug retry-cache-aba, bug switch parsing, and the task store shared by two
// connections the way two orchestrator processes share one data directory.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "miroir/orchestrator/node_states.hpp"
#include "miroir/orchestrator/options.hpp"
#include "miroir/orchestrator/retry_cache.hpp"
#include "miroir/orchestrator/task_store.hpp"
#include "miroir_test_util.hpp"

using namespace miroir::orchestrator;
using S = NodeState;

namespace {

// The design's table, written out once more on its own terms.
const std::set<std::pair<S, S>> kLegal = {
    {S::joining, S::active},                             // joining -> active
    {S::active, S::draining}, {S::draining, S::removed},  // active -> draining -> removed
    {S::active, S::failed},   {S::draining, S::failed},   // active|draining -> failed
    {S::failed, S::active},                              // failed -> active
    {S::active, S::degraded}, {S::failed, S::degraded},   // active|failed -> degraded
    {S::degraded, S::active},                            // degraded -> active
};

// A one-node table brought to `target` by legal moves only.
std::unique_ptr<NodeStates> at(S target) {
  auto states = std::make_unique<NodeStates>(1, S::joining);
  const std::map<S, std::vector<S>> path = {
      {S::joining, {}},
      {S::active, {S::active}},
      {S::draining, {S::active, S::draining}},
      {S::failed, {S::active, S::failed}},
      {S::removed, {S::active, S::draining, S::removed}},
      {S::degraded, {S::active, S::degraded}},
  };
  for (S s : path.at(target)) EXPECT_TRUE(states->move(0, s));
  EXPECT_EQ(states->view(0).state, target);
  return states;
}

}  // namespace

TEST(MiroirNodeStates, TheTransitionTableIsExactlyTheDesigns) {
  int legal = 0;
  for (S from : kAllNodeStates)
    for (S to : kAllNodeStates) {
      bool want = kLegal.count({from, to}) > 0;
      EXPECT_EQ(is_legal_move(from, to), want) << to_string(from) << " -> " << to_string(to);
      legal += want;
    }
  EXPECT_EQ(legal, 9);
}

TEST(MiroirNodeStates, EveryMoveFromEveryStateIsAppliedOrRefusedWithTheReason) {
  for (S from : kAllNodeStates)
    for (S to : kAllNodeStates) {
      auto states = at(from);
      std::string why;
      bool moved = states->move(0, to, &why);
      if (kLegal.count({from, to})) {
        EXPECT_TRUE(moved) << to_string(from) << " -> " << to_string(to) << ": " << why;
        EXPECT_EQ(states->view(0).state, to);
      } else {
        EXPECT_FALSE(moved) << to_string(from) << " -> " << to_string(to);
        EXPECT_EQ(states->view(0).state, from) << "a refused move changed the state";
        std::string move = std::string(to_string(from)) + " -> " + std::string(to_string(to));
        EXPECT_NE(why.find("illegal node state move " + move), std::string::npos) << why;
        EXPECT_NE(why.find("legal from " + std::string(to_string(from))), std::string::npos) << why;
      }
    }
  std::string why;
  auto removed = at(S::removed);
  EXPECT_FALSE(removed->move(0, S::active, &why));
  EXPECT_NE(why.find("legal from removed: none"), std::string::npos) << why;
}

TEST(MiroirNodeStates, ConfiguredNodesStartActiveAndReachable) {
  NodeStates states(3);
  for (const auto& v : states.snapshot()) {
    EXPECT_EQ(v.state, S::active);
    EXPECT_TRUE(v.health.reachable);
    EXPECT_EQ(v.health.consecutive_failures, 0u);
  }
  EXPECT_FALSE(states.known_down(1));
}

TEST(MiroirNodeStates, ThreeFailedProbesMarkDownTwoAnsweredMarkUp) {
  NodeStates states(2);
  EXPECT_EQ(states.record_probe(0, false), std::nullopt);
  EXPECT_TRUE(states.known_down(0)) << "the last probe failed: reads avoid the node at once";
  EXPECT_EQ(states.view(0).state, S::active);
  EXPECT_EQ(states.record_probe(0, false), std::nullopt);
  EXPECT_EQ(states.record_probe(0, true), std::nullopt);  // a success resets the count
  EXPECT_EQ(states.view(0).health.consecutive_failures, 0u);
  EXPECT_FALSE(states.known_down(0));
  EXPECT_EQ(states.record_probe(0, false), std::nullopt);
  EXPECT_EQ(states.record_probe(0, false), std::nullopt);
  EXPECT_EQ(states.record_probe(0, false), S::failed);
  EXPECT_EQ(states.view(0).health.consecutive_failures, 3u);
  EXPECT_EQ(states.record_probe(0, false), std::nullopt);  // already failed
  EXPECT_EQ(states.view(0).health.consecutive_failures, 4u);
  EXPECT_EQ(states.view(1).state, S::active) << "another node is not affected";

  EXPECT_EQ(states.record_probe(0, true), std::nullopt);
  EXPECT_EQ(states.view(0).state, S::failed);
  EXPECT_TRUE(states.known_down(0)) << "failed until marked up, even if the last probe answered";
  EXPECT_EQ(states.record_probe(0, false), std::nullopt);  // a failure resets the successes
  EXPECT_EQ(states.record_probe(0, true), std::nullopt);
  EXPECT_EQ(states.record_probe(0, true), S::active);
  EXPECT_FALSE(states.known_down(0));
}

TEST(MiroirNodeStates, ProbesMoveOnlyActiveDrainingAndFailedNodes) {
  auto fail3 = [](NodeStates& s) {
    std::optional<S> last;
    for (int i = 0; i < 3; ++i) last = s.record_probe(0, false);
    return last;
  };
  auto draining = at(S::draining);
  EXPECT_EQ(fail3(*draining), S::failed);
  for (S s : {S::joining, S::removed, S::degraded}) {
    auto states = at(s);
    EXPECT_EQ(fail3(*states), std::nullopt) << to_string(s);
    EXPECT_EQ(states->view(0).state, s);
    EXPECT_FALSE(states->view(0).health.reachable);
    EXPECT_EQ(states->record_probe(0, true), std::nullopt);
    EXPECT_EQ(states->record_probe(0, true), std::nullopt) << to_string(s);
    EXPECT_EQ(states->view(0).state, s);
  }
  auto removed = at(S::removed);
  EXPECT_TRUE(removed->known_down(0));
}

TEST(MiroirBugSwitches, ParsesTheKnownNamesAndRefusesOthers) {
  EXPECT_EQ(known_bug_switches().size(), 9u);
  auto none = parse_bug_switches({});
  EXPECT_FALSE(none.ack_any_status || none.retry_cache_aba || none.get_by_id_shard0 || none.skip_delta ||
               none.bypass_gate || none.conditional_delta || none.no_drain_deadline || none.volatile_inflight ||
               none.no_anti_entropy_repair);
  auto all = parse_bug_switches(known_bug_switches());
  EXPECT_TRUE(all.ack_any_status && all.retry_cache_aba && all.get_by_id_shard0 && all.skip_delta &&
              all.bypass_gate && all.conditional_delta && all.no_drain_deadline && all.volatile_inflight &&
              all.no_anti_entropy_repair);
  auto one = parse_bug_switches({"retry-cache-aba"});
  EXPECT_TRUE(one.retry_cache_aba);
  EXPECT_FALSE(one.ack_any_status || one.get_by_id_shard0);
  EXPECT_THROW(parse_bug_switches({"skip-delta-typo"}), std::invalid_argument);
}

// The anti-entropy stamp is the orchestrator's, not the client's: two writes
// of the same documents at different times remember under one body.
TEST(MiroirRetryCache, BodyLeavesTheUpdatedAtStampOut) {
  auto write = [](const std::string& json) {
    miroir::NodeWriteRequest w;
    w.set_index("docs");
    auto* d = w.add_documents();
    d->set_id("a");
    d->set_json(json);
    return w;
  };
  const auto v1_then = RetryCache::body_of(write(R"({"id":"a","v":1,"_miroir_shard":3,"_miroir_updated_at":100})"));
  const auto v1_now = RetryCache::body_of(write(R"({"id":"a","v":1,"_miroir_shard":3,"_miroir_updated_at":200})"));
  const auto v2_now = RetryCache::body_of(write(R"({"id":"a","v":2,"_miroir_shard":3,"_miroir_updated_at":200})"));
  EXPECT_EQ(v1_then, v1_now);
  EXPECT_NE(v1_now, v2_now);
  miroir::NodeDeleteRequest del;
  del.add_ids("a");
  EXPECT_EQ(RetryCache::body_of(del), del.SerializeAsString()) << "other requests: their bytes";
}

TEST(MiroirRetryCache, RemembersPerNodeKindAndBodyForTheWindow) {
  using namespace std::chrono_literals;
  RetryCache cache(60s);
  auto t0 = RetryCache::Clock::now();
  miroir::NodeEnqueueReply r;
  r.set_task_uid(7);
  EXPECT_FALSE(cache.find(0, "W", "v1", t0));
  cache.remember(0, "W", "v1", r, t0);
  auto hit = cache.find(0, "W", "v1", t0 + 59s);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->task_uid(), 7u);
  EXPECT_FALSE(cache.find(1, "W", "v1", t0 + 1s)) << "another node";
  EXPECT_FALSE(cache.find(0, "D", "v1", t0 + 1s)) << "another RPC";
  EXPECT_FALSE(cache.find(0, "W", "v2", t0 + 1s)) << "another body";
  EXPECT_FALSE(cache.find(0, "W", "v1", t0 + 60s)) << "expired";
  EXPECT_EQ(cache.size(), 0u);

  // Sent again after expiry: the new entry lives its own window, and the
  // expiry of the old record does not take it away.
  cache.remember(0, "W", "v1", r, t0 + 30s);
  cache.remember(0, "W", "v1", r, t0 + 70s);
  EXPECT_TRUE(cache.find(0, "W", "v1", t0 + 95s));
  EXPECT_FALSE(cache.find(0, "W", "v1", t0 + 131s));
}

TEST(MiroirTaskStore, TwoConnectionsOnOneDirectoryShareTasks) {
  // Two TaskStores on one file behave like two orchestrator processes on one
  // --data directory: separate connections, SQLite file locks between them.
  miroir::test::TempDir dir("taskstore-shared");
  TaskStore a(dir.path().string()), b(dir.path().string());
  constexpr int kThreads = 4, kPerThread = 200;
  std::vector<std::vector<std::string>> ids(2 * kThreads);
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2 * kThreads; ++t)
    threads.emplace_back([&, t] {
      TaskStore& store = t % 2 ? a : b;
      for (int i = 0; i < kPerThread; ++i) {
        std::string id = TaskStore::new_task_id();
        try {
          store.put(id, {NodeTaskRef{"n" + std::to_string(t), static_cast<uint64_t>(i)}});
          ids[t].push_back(id);
        } catch (const std::exception& e) {
          ++errors;
          ADD_FAILURE() << e.what();
          return;
        }
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors, 0);
  for (int t = 0; t < 2 * kThreads; ++t) {
    TaskStore& other = t % 2 ? b : a;  // read through the connection that did not write
    ASSERT_EQ(ids[t].size(), static_cast<size_t>(kPerThread));
    for (int i = 0; i < kPerThread; ++i) {
      auto refs = other.get(ids[t][i]);
      ASSERT_TRUE(refs) << ids[t][i];
      ASSERT_EQ(refs->size(), 1u);
      EXPECT_EQ((*refs)[0].node, "n" + std::to_string(t));
      EXPECT_EQ((*refs)[0].uid, static_cast<uint64_t>(i));
    }
  }
  EXPECT_FALSE(a.get("mtask-unknown"));
}
