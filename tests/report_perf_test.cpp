// perf: the three plots drawn by the real gnuplot from hand-made histories;
// fault intervals shaded and labelled on each; the data files hold every
// operation (or, past the budget, a sample that keeps every fail/info and the
// spikes); without gnuplot the verdict is unknown, with the reason.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "checker/checker.hpp"
#include "report_test_util.hpp"
#include "checker/report_ops.hpp"

using namespace eclat;
using namespace report_test;
namespace fs = std::filesystem;

namespace {

struct Builder {
  History h;
  void op(OpType type, int64_t process, const std::string& f, int64_t time, nlohmann::json value = nullptr) {
    Op o;
    o.index = static_cast<int64_t>(h.size());
    o.type = type;
    o.process = process;
    o.f = f;
    o.value = std::move(value);
    o.time = time;
    h.push_back(std::move(o));
  }
  // An operation completed `latency` later (ops are appended in time order by the callers).
  void client(int64_t process, int64_t at, int64_t latency, OpType outcome, int64_t value) {
    op(OpType::invoke, process, "add", at, value);
    op(outcome, process, "add", at + latency, value);
  }
  void nemesis(const std::string& f, int64_t at, nlohmann::json value) {
    op(OpType::invoke, kNemesisProcess, f, at);
    op(OpType::info, kNemesisProcess, f, at + 2 * kMs, std::move(value));
  }
};

size_t data_rows(const fs::path& p) {
  std::ifstream in(p);
  size_t n = 0;
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') ++n;
  return n;
}

CheckResult run_perf(const History& h, const fs::path& dir) {
  CheckContext ctx{h, nlohmann::json::object(), dir};
  return make_checker("perf")->check(ctx);
}

// 10 s, 4 processes, one op every 50 ms each: ok at 5-20 ms; while n2 is
// killed (3-5 s) the ops end info after 1 s; one fail; a partition at 6-8 s.
Builder faulty_run(size_t& ok, size_t& fail, size_t& info) {
  Builder b;
  ok = fail = info = 0;
  int64_t v = 0;
  History ops;  // collected per process, then put in time order
  for (int p = 0; p < 4; ++p) {
    for (int64_t t = 100 * kMs + p * 10 * kMs; t < 10000 * kMs; t += 50 * kMs) {
      bool killed = t >= 3000 * kMs && t < 5000 * kMs;
      OpType outcome = killed ? OpType::info : (p == 1 && t == 1010 * kMs ? OpType::fail : OpType::ok);
      int64_t latency = killed ? 1000 * kMs : (5 + (v * 7) % 15) * kMs;
      (outcome == OpType::ok ? ok : outcome == OpType::fail ? fail : info)++;
      Op inv;
      inv.type = OpType::invoke, inv.process = p, inv.f = "add", inv.value = v, inv.time = t;
      Op done = inv;
      done.type = outcome, done.time = t + latency;
      ops.push_back(inv), ops.push_back(done);
      ++v;
      if (killed) t += latency;  // a process waits for its timeout
    }
  }
  Op n;
  n.process = kNemesisProcess;
  auto nem = [&](const std::string& f, int64_t t, nlohmann::json value) {
    n.f = f, n.type = OpType::invoke, n.time = t, n.value = nullptr;
    ops.push_back(n);
    n.type = OpType::info, n.time = t + 2 * kMs, n.value = std::move(value);
    ops.push_back(n);
  };
  nem("start-kill", 3000 * kMs, {{"nodes", {"n2"}}, {"signal", "SIGKILL"}});
  nem("stop-kill", 5000 * kMs, {{"restarted", {{{"node", "n2"}, {"ready", true}}}}});
  nem("start-partition", 6000 * kMs, {{"isolated", "n1"}, {"grudge", {{"n1", {"n2", "n3"}}, {"n2", {"n1"}}, {"n3", {"n1"}}}}});
  nem("stop-partition", 8000 * kMs, {{"healed_links", 4}});
  std::stable_sort(ops.begin(), ops.end(), [](const Op& a, const Op& c) { return a.time < c.time; });
  for (size_t i = 0; i < ops.size(); ++i) ops[i].index = static_cast<int64_t>(i);
  b.h = std::move(ops);
  return b;
}

}  // namespace

TEST(ReportPerf, ThreePlotsWithEveryFaultShadedAndLabelled) {
  size_t ok, fail, info;
  Builder b = faulty_run(ok, fail, info);
  TempDir dir("perf");
  CheckResult r = run_perf(b.h, dir.path);
  ASSERT_EQ(r.valid, Verdict::valid) << r.summary;
  ASSERT_EQ(r.details["files"].size(), 3u);
  for (const char* plot : {"latency-raw.svg", "latency-quantiles.svg", "rate.svg"}) {
    SCOPED_TRACE(plot);
    std::string svg = slurp(dir.path / plot);
    ASSERT_NE(svg.find("<svg"), std::string::npos);
    EXPECT_NE(svg.find(">kill n2<"), std::string::npos);
    EXPECT_NE(svg.find(">partition n1 isolated<"), std::string::npos);
    // The two shaded intervals (translucent rectangles in the fault colours).
    EXPECT_EQ(count_of(svg, "fill = 'rgb(148, 103, 189)' fill-opacity = '0.160000'"), 1u);
    EXPECT_EQ(count_of(svg, "fill = 'rgb( 44, 160,  44)' fill-opacity = '0.160000'"), 1u);
  }
  std::string raw = slurp(dir.path / "latency-raw.svg");
  EXPECT_NE(raw.find("ok (" + std::to_string(ok) + ")"), std::string::npos);
  EXPECT_NE(raw.find("info (" + std::to_string(info) + ")"), std::string::npos);
  EXPECT_NE(raw.find("fail (1)"), std::string::npos);
  // Every operation is in the data, nothing downsampled at this size.
  EXPECT_EQ(data_rows(dir.path / "perf/latency-ok.dat"), ok);
  EXPECT_EQ(data_rows(dir.path / "perf/latency-info.dat"), info);
  EXPECT_EQ(data_rows(dir.path / "perf/latency-fail.dat"), fail);
  EXPECT_FALSE(r.details["downsampled"].get<bool>());
  // The rate adds up to every completion.
  std::ifstream rate(dir.path / "perf/rate.dat");
  double sum[3] = {0, 0, 0}, width = 0, prev = -1;
  for (std::string line; std::getline(rate, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream in(line);
    double t, a, c, d;
    in >> t >> a >> c >> d;
    if (prev >= 0 && width == 0) width = t - prev;
    prev = t;
    sum[0] += a, sum[1] += c, sum[2] += d;
  }
  ASSERT_GT(width, 0);
  EXPECT_NEAR(sum[0] * width, ok, 0.5);
  EXPECT_NEAR(sum[2] * width, info, 0.5);
  // The info burst during the kill shows in the quantiles: max 1000 ms there, not elsewhere.
  std::ifstream q(dir.path / "perf/latency-quantiles.dat");
  bool spike_in_kill = false, spike_outside = false;
  for (std::string line; std::getline(q, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream in(line);
    double t, p50, p95, p99, mx;
    in >> t >> p50 >> p95 >> p99 >> mx;
    if (mx >= 999) (t > 2.8 && t < 5.2 ? spike_in_kill : spike_outside) = true;
  }
  EXPECT_TRUE(spike_in_kill);
  EXPECT_FALSE(spike_outside);
  ASSERT_EQ(r.details["faults"].size(), 2u);
  EXPECT_EQ(r.details["faults"][0]["label"], "kill n2");
  EXPECT_NEAR(r.details["faults"][0]["start_s"].get<double>(), 3.0, 1e-9);
  EXPECT_NEAR(r.details["faults"][0]["end_s"].get<double>(), 5.002, 1e-9);
}

TEST(ReportPerf, AHugeHistoryIsDownsampledKeepingEveryInfoAndTheSpikes) {
  Builder b;
  const int64_t n = 120000;
  for (int64_t i = 0; i < n; ++i) {
    int64_t latency = (i == 61234) ? 4321 * kMs : (i % 400 == 0 ? 1000 * kMs : 3 * kMs);
    b.client(i, i * kMs / 4, latency, i % 400 == 0 ? OpType::info : OpType::ok, i);
  }
  std::stable_sort(b.h.begin(), b.h.end(), [](const Op& x, const Op& y) { return x.time < y.time; });
  TempDir dir("perf-huge");
  CheckResult r = run_perf(b.h, dir.path);
  ASSERT_EQ(r.valid, Verdict::valid) << r.summary;
  EXPECT_TRUE(r.details["downsampled"].get<bool>());
  const size_t ok_rows = data_rows(dir.path / "perf/latency-ok.dat");
  const size_t info_rows = data_rows(dir.path / "perf/latency-info.dat");
  EXPECT_EQ(info_rows, 300u);  // every info kept
  EXPECT_LT(ok_rows + info_rows, 45000u);
  EXPECT_GT(ok_rows, 30000u);
  EXPECT_EQ(r.details["raw_points"].get<size_t>(), ok_rows + info_rows);
  // The slowest operation (4.321 s at 15.3085 s) is kept.
  EXPECT_NE(slurp(dir.path / "perf/latency-ok.dat").find("15.3085 4321 "), std::string::npos);
  std::string raw = slurp(dir.path / "latency-raw.svg");
  EXPECT_NE(raw.find("downsampled: " + std::to_string(ok_rows + info_rows) + " of 120000 shown"), std::string::npos);
}

TEST(ReportPerf, WithoutGnuplotTheVerdictIsUnknownAndSaysWhy) {
  size_t ok, fail, info;
  Builder b = faulty_run(ok, fail, info);
  TempDir dir("perf-nognuplot");
  fs::create_directories(dir.path / "empty-bin");
  std::string saved = getenv("PATH") ? getenv("PATH") : "";
  setenv("PATH", (dir.path / "empty-bin").c_str(), 1);
  CheckResult r = run_perf(b.h, dir.path);
  setenv("PATH", saved.c_str(), 1);
  EXPECT_EQ(r.valid, Verdict::unknown);
  EXPECT_NE(r.summary.find("gnuplot is not installed"), std::string::npos) << r.summary;
  EXPECT_FALSE(fs::exists(dir.path / "latency-raw.svg"));
  EXPECT_TRUE(fs::exists(dir.path / "perf/perf.gp"));  // the data and script, to draw elsewhere
}

TEST(ReportPerf, AHistoryWithoutClientOperationsStillGetsItsPlots) {
  Builder b;
  b.nemesis("start-kill", 1000 * kMs, {{"nodes", {"n3"}}});
  TempDir dir("perf-empty");
  CheckResult r = run_perf(b.h, dir.path);
  ASSERT_EQ(r.valid, Verdict::valid) << r.summary;
  std::string raw = slurp(dir.path / "latency-raw.svg");
  EXPECT_NE(raw.find("no completed client operation"), std::string::npos);
  EXPECT_NE(raw.find(">kill n3 (never stopped)<"), std::string::npos);
}

TEST(ReportOps, FaultIntervalsPairStartWithStopOrHeal) {
  Builder b;
  b.nemesis("start-kill", 1 * kMs * 1000, {{"nodes", {"n1"}}});
  b.nemesis("heal-partition", 1500 * kMs, {{"healed_links", 0}});  // nothing active: ignored
  b.nemesis("heal-kill", 2000 * kMs, {{"restarted", nlohmann::json::array()}});
  b.nemesis("start-partition", 3000 * kMs, {{"isolated", "o1"}, {"grudge", nlohmann::json::object()}});
  auto f = report::fault_intervals(b.h);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].label, "kill n1");
  EXPECT_EQ(f[0].start, 1000 * kMs);
  EXPECT_EQ(f[0].end, 2002 * kMs);
  EXPECT_FALSE(f[0].open);
  EXPECT_EQ(f[1].label, "partition o1 isolated");
  EXPECT_TRUE(f[1].open);
  EXPECT_EQ(f[1].end, 3002 * kMs);
}
