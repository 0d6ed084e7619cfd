// The generator toolkit in virtual time: exact operation sequences and due
// times, no sleeping (the whole suite takes milliseconds).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "generator/clock.hpp"
#include "generator/combinators.hpp"
#include "generator/driver.hpp"
#include "generator/fault_package.hpp"
#include "generator/simulate.hpp"
#include "workloads/runner.hpp"
#include "workloads/workload.hpp"

using namespace eclat;
using namespace eclat::gen;

namespace {

Op make(const std::string& f, nlohmann::json v = nullptr) {
  Op op;
  op.f = f;
  op.value = std::move(v);
  return op;
}

// A source of f with values 0, 1, 2... (clones share the count: from_fn's
// state lives in its function).
GenPtr counter(const std::string& f) {
  auto n = std::make_shared<int64_t>(0);
  return from_fn([f, n](const Context&) { return make(f, (*n)++); });
}

// thread + 10 * i: a count per thread, kept by thread number since clones
// of from_fn share its function's state.
GenPtr per_thread_counter() {
  auto n = std::make_shared<std::map<int, int64_t>>();
  return from_fn([n](const Context& c) { return make("add", c.thread + 10 * (*n)[c.thread]++); });
}

Outcome ok_after(double latency) { return {OpType::ok, latency}; }

std::vector<std::string> fs(const std::vector<Simulated>& ops) {
  std::vector<std::string> out;
  for (const auto& s : ops) out.push_back(s.op.f);
  return out;
}

}  // namespace

TEST(Generator, OnceGivesOneOperationThenIsExhausted) {
  auto g = once(make("x"));
  auto ops = simulate(*g, 1, 1, [](const Simulated&) { return ok_after(0.5); });
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].op.f, "x");
  EXPECT_DOUBLE_EQ(ops[0].invoked, 0);
  EXPECT_DOUBLE_EQ(ops[0].completed, 0.5);
}

TEST(Generator, RateSpacesDueTimesExactly) {
  auto g = time_limit(1.0, rate(4, counter("w")));
  auto ops = simulate(*g, 1, 1, [](const Simulated&) { return ok_after(0.01); });
  ASSERT_EQ(ops.size(), 4u);
  for (size_t i = 0; i < ops.size(); ++i) {
    EXPECT_DOUBLE_EQ(ops[i].invoked, 0.25 * i);
    EXPECT_EQ(ops[i].op.value, static_cast<int64_t>(i));
  }
}

TEST(Generator, RateDoesNotCatchUpABacklogInABurst) {
  // Each operation takes 0.6 s against a 0.25 s spacing: the next one goes
  // as soon as the previous completed, never two at once.
  auto g = time_limit(2.0, rate(4, counter("w")));
  auto ops = simulate(*g, 1, 1, [](const Simulated&) { return ok_after(0.6); });
  ASSERT_EQ(ops.size(), 4u);
  EXPECT_DOUBLE_EQ(ops[1].invoked, 0.6);
  EXPECT_DOUBLE_EQ(ops[2].invoked, 1.2);
  EXPECT_DOUBLE_EQ(ops[3].invoked, 1.8);
}

TEST(Generator, StaggerGapsAreWithinTwiceTheMeanAndAverageToIt) {
  auto g = time_limit(1000, stagger(0.5, counter("w")));
  auto ops = simulate(*g, 1, 7, [](const Simulated&) { return ok_after(0); });
  ASSERT_GT(ops.size(), 1500u);
  ASSERT_LT(ops.size(), 2500u);  // mean 0.5 s over 1000 s: ~2000
  EXPECT_GE(ops[0].invoked, 0);
  EXPECT_LT(ops[0].invoked, 1.0);
  for (size_t i = 1; i < ops.size(); ++i) {
    const double gap = ops[i].invoked - ops[i - 1].invoked;
    EXPECT_GE(gap, 0);
    EXPECT_LT(gap, 1.0);
  }
  const double mean = ops.back().invoked / static_cast<double>(ops.size());
  EXPECT_NEAR(mean, 0.5, 0.05);
}

TEST(Generator, TimeLimitDropsWhatIsDueAtOrAfterTheDeadline) {
  auto g = time_limit(1.0, rate(2, counter("w")));  // due at 0, 0.5, 1.0 (dropped)
  auto ops = simulate(*g, 1, 1, [](const Simulated&) { return ok_after(0); });
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_DOUBLE_EQ(ops[1].invoked, 0.5);
}

TEST(Generator, AfterWaitsFromTheAskThatIsThePreviousCompletion) {
  auto g = repeat(3, after(2, once(make("x"))));
  auto ops = simulate(*g, 1, 1, [](const Simulated&) { return ok_after(1); });
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_DOUBLE_EQ(ops[0].invoked, 2);
  EXPECT_DOUBLE_EQ(ops[1].invoked, 5);
  EXPECT_DOUBLE_EQ(ops[2].invoked, 8);
}

TEST(Generator, PhasesRunOneAfterAnother) {
  auto g = phases(list(repeat(2, once(make("a"))), once(make("b")), repeat(2, once(make("c")))));
  auto ops = simulate(*g, 1, 1, [](const Simulated&) { return ok_after(1); });
  EXPECT_EQ(fs(ops), (std::vector<std::string>{"a", "a", "b", "c", "c"}));
  EXPECT_DOUBLE_EQ(ops[4].invoked, 4);
}

TEST(Generator, FlipFlopAlternatesAndEndsWithTheSideWhoseTurnIsExhausted) {
  auto g = flip_flop(repeat(3, once(make("start"))), repeat(-1, once(make("stop"))));
  auto ops = simulate(*g, 1, 1, [](const Simulated&) { return ok_after(0); });
  EXPECT_EQ(fs(ops), (std::vector<std::string>{"start", "stop", "start", "stop", "start", "stop"}));
}

TEST(Generator, RepeatForeverStopsOnlyByAnOuterLimit) {
  auto g = time_limit(10, rate(1, repeat(-1, once(make("x")))));
  auto ops = simulate(*g, 1, 1, [](const Simulated&) { return ok_after(0); });
  EXPECT_EQ(ops.size(), 10u);
  auto empty = repeat(-1, phases({}));  // never gives anything: exhausted, not a spin
  EXPECT_TRUE(simulate(*empty, 1, 1, [](const Simulated&) { return ok_after(0); }).empty());
}

TEST(Generator, UntilOkRepeatsTheOperationUntilItCompletesOk) {
  auto g = until_ok(repeat(-1, once(make("read"))));
  int calls = 0;
  auto ops = simulate(*g, 1, 1, [&](const Simulated&) {
    ++calls;
    return Outcome{calls < 3 ? (calls == 1 ? OpType::fail : OpType::info) : OpType::ok, 1};
  });
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[0].outcome, OpType::fail);
  EXPECT_EQ(ops[1].outcome, OpType::info);
  EXPECT_EQ(ops[2].outcome, OpType::ok);
  // The info moved the worker to a new process: process + threads.
  EXPECT_EQ(ops[1].process, 0);
  EXPECT_EQ(ops[2].process, 1);
}

TEST(Generator, UntilOkHoldsOtherThreadsWhileAnAttemptIsOutstanding) {
  auto g = until_ok(repeat(-1, once(make("read"))));
  int calls = 0;
  auto ops = simulate(*g, 3, 1, [&](const Simulated&) { return Outcome{++calls < 2 ? OpType::fail : OpType::ok, 1}; });
  ASSERT_EQ(ops.size(), 2u);  // one at a time: fail, then ok, nobody else
  EXPECT_DOUBLE_EQ(ops[1].invoked, 1);
}

TEST(Generator, EachThreadGivesEveryWorkerItsOwnSequence) {
  auto g = each_thread(repeat(2, once(make("x"))));
  auto ops = simulate(*g, 3, 1, [](const Simulated&) { return ok_after(1); });
  std::map<int, int> per;
  for (const auto& s : ops) per[s.thread]++;
  EXPECT_EQ(per, (std::map<int, int>{{0, 2}, {1, 2}, {2, 2}}));
}

TEST(Generator, MixDrawsFromEveryChildAndDropsExhaustedOnes) {
  auto g = mix(list(repeat(30, once(make("a"))), repeat(30, once(make("b")))));
  auto ops = simulate(*g, 1, 3, [](const Simulated&) { return ok_after(0); });
  ASSERT_EQ(ops.size(), 60u);
  std::map<std::string, int> n;
  for (const auto& s : ops) n[s.op.f]++;
  EXPECT_EQ(n["a"], 30);
  EXPECT_EQ(n["b"], 30);
  // Interleaved, not one block after the other.
  int switches = 0;
  for (size_t i = 1; i < ops.size(); ++i) switches += ops[i].op.f != ops[i - 1].op.f;
  EXPECT_GT(switches, 10);
}

TEST(Generator, ShuffledTurnsVisitsEveryChildOncePerCycle) {
  std::vector<GenPtr> gs;
  for (const char* f : {"a", "b", "c"}) gs.push_back(repeat(-1, once(make(f))));
  auto g = time_limit(60, rate(1, shuffled_turns(std::move(gs), 2)));
  auto ops = simulate(*g, 1, 5, [](const Simulated&) { return ok_after(0); });
  ASSERT_EQ(ops.size(), 60u);
  for (size_t cycle = 0; cycle < 10; ++cycle) {
    std::set<std::string> seen;
    for (size_t t = 0; t < 3; ++t) {
      const auto& first = ops[cycle * 6 + 2 * t].op.f;
      EXPECT_EQ(first, ops[cycle * 6 + 2 * t + 1].op.f);  // a turn is two of one child
      seen.insert(first);
    }
    EXPECT_EQ(seen.size(), 3u) << "cycle " << cycle;
  }
}

TEST(FaultPackage, IntervalNemesisIsAFlipFlopOfStartAndStopWithIntervalAndDuration) {
  std::vector<FaultPackage> packages;
  packages.push_back(interval_package("kill", 5, 3));
  packages.push_back(interval_package("partition", 5, 3));
  EXPECT_EQ(packages[0].final_op.f, "heal-kill");
  EXPECT_EQ(packages[0].colour, "#9467bd");
  EXPECT_EQ(packages[1].colour, "#2ca02c");
  auto g = time_limit(40, interval_nemesis(packages));
  // Every nemesis operation takes 0.5 s: start at 5, done 5.5, stop at 8.5...
  auto ops = simulate(*g, 1, 9, [](const Simulated&) { return ok_after(0.5); });
  ASSERT_EQ(ops.size(), 8u);  // the next start would be due at 41, past the limit
  const double expected[] = {5, 8.5, 14, 17.5, 23, 26.5, 32, 35.5};
  std::set<std::string> first_cycle;
  for (size_t i = 0; i < ops.size(); ++i) {
    EXPECT_DOUBLE_EQ(ops[i].invoked, expected[i]) << i;
    const auto [action, fault] = split_nemesis_f(ops[i].op.f);
    EXPECT_EQ(action, i % 2 == 0 ? "start" : "stop");
    if (i % 2 == 1) EXPECT_EQ(fault, split_nemesis_f(ops[i - 1].op.f).second);
    if (i < 4) first_cycle.insert(fault);
  }
  EXPECT_EQ(first_cycle, (std::set<std::string>{"kill", "partition"}));
}

TEST(FaultPackage, NemesisOperationNames) {
  EXPECT_EQ(split_nemesis_f("start-partition-new-node"), std::make_pair(std::string("start"), std::string("partition-new-node")));
  EXPECT_EQ(split_nemesis_f("heal-kill").first, "heal");
  EXPECT_EQ(split_nemesis_f("migration").first, "");
  EXPECT_EQ(split_nemesis_f("start-").first, "");
  EXPECT_EQ(fault_colour("no-such-fault"), "");
}

TEST(Generator, AtTimesPlaysARecordedScheduleAtItsOffsets) {
  auto g = at_times({{1.5, make("start-kill", {{"nodes", {"n2"}}})}, {4.25, make("stop-kill")}});
  auto ops = simulate(*g, 1, 1, [](const Simulated&) { return ok_after(0.1); });
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_DOUBLE_EQ(ops[0].invoked, 1.5);
  EXPECT_EQ(ops[0].op.value["nodes"][0], "n2");
  EXPECT_DOUBLE_EQ(ops[1].invoked, 4.25);
}

// Same seed, same sequence per worker, whatever the latencies do to the
// interleaving of the workers.
TEST(GeneratorDeterminism, SameSeedSameSequencePerWorker) {
  auto build = [] {
    auto src = from_fn([](const Context& c) {
      const int64_t k = std::uniform_int_distribution<int64_t>(0, 99)(c.random());
      return make(k % 2 ? "read" : "write", k);
    });
    return time_limit(20, each_thread(stagger(0.1, std::move(src))));
  };
  auto per_worker = [](const std::vector<Simulated>& ops) {
    std::map<int, std::vector<std::pair<std::string, nlohmann::json>>> out;
    for (const auto& s : ops) out[s.thread].push_back({s.op.f, s.op.value});
    return out;
  };
  auto g1 = build(), g2 = build(), g3 = build();
  auto a = simulate(*g1, 4, 123, [](const Simulated&) { return ok_after(0.01); });
  // Other latencies: other interleaving, same per-worker sequences (prefix).
  auto b = simulate(*g2, 4, 123, [](const Simulated& s) { return ok_after(0.001 * (s.thread + 1)); });
  auto c = simulate(*g3, 4, 124, [](const Simulated&) { return ok_after(0.01); });
  auto pa = per_worker(a), pb = per_worker(b), pc = per_worker(c);
  ASSERT_EQ(pa.size(), 4u);
  for (int w = 0; w < 4; ++w) {
    const size_t n = std::min(pa[w].size(), pb[w].size());
    ASSERT_GT(n, 100u);
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(pa[w][i], pb[w][i]) << "worker " << w << " op " << i;
  }
  EXPECT_NE(pa[0], pc[0]) << "another seed should give another sequence";
}

// The real driver on virtual clocks (one per thread: a shared one would let
// a thread's sleep move the others' time): same contract, real threads.
TEST(GeneratorDriver, DrivesWorkersOnAVirtualClockAndMovesInfoToANewProcess) {
  VirtualClock clocks[2];
  auto g = time_limit(10, each_thread(rate(1, per_thread_counter())));
  std::mutex lock, seen_mu;
  std::vector<std::pair<int64_t, nlohmann::json>> seen;
  std::vector<std::thread> ts;
  std::vector<std::mt19937_64> rngs = {worker_rng(1, 0), worker_rng(1, 1)};
  for (int w = 0; w < 2; ++w)
    ts.emplace_back([&, w] {
      drive({*g, lock, clocks[w], Context{0, w, 2, w, &rngs[w]}}, [] { return false; },
            [&](const Op& op, const Context& c) {
              std::lock_guard l(seen_mu);
              seen.push_back({c.process, op.value});
              Op done = op;
              done.type = op.value == 0 ? OpType::info : OpType::ok;  // worker 0's first op
              return done;
            });
    });
  for (auto& t : ts) t.join();
  ASSERT_EQ(seen.size(), 20u);  // 10 virtual seconds at 1/s, 2 workers
  for (const auto& [process, value] : seen) {
    const int64_t v = value.get<int64_t>();
    const int64_t worker = v % 10;
    EXPECT_EQ(process % 2, worker);
    EXPECT_EQ(process, v == 0 || worker == 1 ? worker : worker + 2);  // after the info: 0 + 2
  }
  EXPECT_DOUBLE_EQ(clocks[0].now(), 9.0);  // the last op was due at 9
  EXPECT_DOUBLE_EQ(clocks[1].now(), 9.0);
}

TEST(GeneratorDriver, StopsWhenAskedEvenIfTheGeneratorWouldGoOn) {
  VirtualClock clock;
  auto g = rate(1, repeat(-1, once(make("x"))));
  std::mutex lock;
  std::mt19937_64 rng(1);
  int n = 0;
  drive({*g, lock, clock, Context{0, 0, 1, 0, &rng}}, [&] { return n >= 5; },
        [&](const Op& op, const Context&) {
          ++n;
          Op d = op;
          d.type = OpType::ok;
          return d;
        });
  EXPECT_EQ(n, 5);
}

// The workloads' own client generators: same seed, same operations per
// worker, however the workers interleave (what eclat replay relies on).
TEST(GeneratorDeterminism, WorkloadsGiveEachWorkerTheSameOperationsForASeed) {
  for (const char* name : {"set", "register"}) {
    TestConfig cfg;
    cfg.workload = name;
    cfg.concurrency = 5;
    MainPhase phase{5, 200, 20, 99};
    auto run = [&](double skew) {
      auto w = make_workload(cfg);
      auto g = w->generator(phase);
      auto ops = simulate(*g, phase.concurrency, phase.seed,
                          [&](const Simulated& s) { return ok_after(0.001 + skew * s.thread); });
      std::map<int, std::vector<std::string>> per;
      for (const auto& s : ops) per[s.thread].push_back(s.op.f + " " + s.op.key.value_or("") + " " + s.op.value.dump());
      return per;
    };
    auto a = run(0), b = run(0.004);
    std::set<std::string> values;
    for (int w = 0; w < phase.concurrency; ++w) {
      const size_t n = std::min(a[w].size(), b[w].size());
      ASSERT_GT(n, 100u) << name;
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(a[w][i], b[w][i]) << name << " worker " << w << " op " << i;
      for (const auto& op : a[w]) values.insert(op);
    }
    if (std::string(name) == "set") {
      size_t total = 0;
      for (const auto& [_, v] : a) total += v.size();
      EXPECT_EQ(values.size(), total) << "set elements must be unique across workers";
    }
  }
}
