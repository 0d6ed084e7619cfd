// timeline: the page embeds every operation exactly (read back from the
// HTML), is self-contained, and a 1,000,000-operation history opens in
// Debian's headless Chromium and draws its first screen.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>
#include <sstream>

#include "checker/checker.hpp"
#include "report_test_util.hpp"
#include "checker/report_ops.hpp"

using namespace eclat;
using namespace report_test;
namespace fs = std::filesystem;

namespace {

// The data the page embeds, read back the way the page's script does.
nlohmann::json embedded_data(const std::string& html) {
  const std::string open = "<script id=\"data\" type=\"application/json\">";
  size_t from = html.find(open);
  if (from == std::string::npos) throw std::runtime_error("no data element");
  from += open.size();
  size_t to = html.find("</script>", from);
  return nlohmann::json::parse(html.substr(from, to - from));
}

Op make(OpType type, int64_t process, const std::string& f, int64_t time, nlohmann::json value = nullptr) {
  Op o;
  o.type = type, o.process = process, o.f = f, o.time = time, o.value = std::move(value);
  return o;
}

}  // namespace

TEST(ReportTimeline, EmbedsEveryOperationSelfContained) {
  History h;
  auto add = [&](Op o) {
    o.index = static_cast<int64_t>(h.size());
    h.push_back(std::move(o));
  };
  nlohmann::json big = nlohmann::json::array();
  for (int i = 0; i < 300; ++i) big.push_back(i);
  add(make(OpType::invoke, 0, "add", 1 * kMs, 1));
  add(make(OpType::invoke, 1, "add", 2 * kMs, "</script><b>"));
  add(make(OpType::invoke, kNemesisProcess, "start-kill", 3 * kMs));
  add(make(OpType::info, kNemesisProcess, "start-kill", 4 * kMs, {{"nodes", {"n2"}}}));
  add(make(OpType::ok, 0, "add", 5 * kMs, 1));
  Op failed = make(OpType::fail, 1, "add", 6 * kMs, "</script><b>");
  failed.error = "refused by every node";
  add(failed);
  Op keyed = make(OpType::invoke, 2, "write", 7 * kMs, 5);
  keyed.key = "k7";
  add(keyed);
  add(make(OpType::info, 2, "write", 9 * kMs, 5));
  add(make(OpType::invoke, 3, "read", 10 * kMs));
  add(make(OpType::ok, 3, "read", 12 * kMs, big));
  add(make(OpType::invoke, kNemesisProcess, "stop-kill", 13 * kMs));
  add(make(OpType::info, kNemesisProcess, "stop-kill", 14 * kMs, {{"restarted", nlohmann::json::array()}}));
  add(make(OpType::ok, 4, "add", 15 * kMs, 9));  // a completion nobody invoked
  add(make(OpType::invoke, 5, "add", 16 * kMs, 10));  // never completed

  TempDir dir("timeline");
  CheckContext ctx{h, {{"name", "hand-made"}}, dir.path};
  CheckResult r = make_checker("timeline")->check(ctx);
  ASSERT_EQ(r.valid, Verdict::valid) << r.summary;
  ASSERT_EQ(r.details["files"][0], (dir.path / "timeline.html").string());
  const std::string html = slurp(dir.path / "timeline.html");

  // Self-contained: nothing fetched from anywhere, and the value holding
  // "</script>" did not end the data element.
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  size_t closes = 0;
  for (size_t at = html.find("</script>"); at != std::string::npos; at = html.find("</script>", at + 1)) ++closes;
  EXPECT_EQ(closes, 2u);

  nlohmann::json d = embedded_data(html);
  const size_t n = 8;  // 6 client operations (one orphan, one pending) and 2 nemesis
  ASSERT_EQ(d["n"], n);
  EXPECT_EQ(d["client"], 6);
  EXPECT_EQ(d["name"], "hand-made");
  for (const char* col : {"p", "s", "d", "o", "f", "v", "e", "a", "b", "k"}) ASSERT_EQ(d[col].size(), n) << col;
  // Decode as the page does and compare with the history.
  std::vector<int64_t> start, index;
  int64_t t = 0, ix = 0;
  for (size_t i = 0; i < n; ++i) {
    t += d["s"][i].get<int64_t>();
    ix += d["a"][i].get<int64_t>();
    start.push_back(t), index.push_back(ix);
  }
  EXPECT_TRUE(std::is_sorted(start.begin(), start.end()));  // in order of invocation
  auto at = [&](int64_t first_index) {
    for (size_t i = 0; i < n; ++i)
      if (index[i] == first_index) return i;
    ADD_FAILURE() << "no operation starting at history index " << first_index;
    return size_t(0);
  };
  auto f = [&](size_t i) { return d["fs"][d["f"][i].get<size_t>()].get<std::string>(); };
  auto col = [&](size_t i) { return d["cols"][d["p"][i].get<size_t>()].get<std::string>(); };

  size_t add1 = at(0);
  EXPECT_EQ(start[add1], 1000);
  EXPECT_EQ(d["d"][add1], 4000);  // µs from invocation to completion
  EXPECT_EQ(d["o"][add1], 0);     // ok
  EXPECT_EQ(d["v"][add1], 1);
  EXPECT_EQ(d["b"][add1], 4);     // completed at history index 4
  EXPECT_EQ(col(add1), "0");

  size_t failed_add = at(1);
  EXPECT_EQ(d["o"][failed_add], 1);
  EXPECT_EQ(d["v"][failed_add], "\"</script><b>\"");  // the value's JSON text, intact
  EXPECT_EQ(d["errs"][d["e"][failed_add].get<size_t>()], "refused by every node");

  size_t kill = at(2);
  EXPECT_EQ(col(kill), "nemesis");
  EXPECT_EQ(f(kill), "start-kill");
  EXPECT_EQ(d["v"][kill], "{\"nodes\":[\"n2\"]}");

  size_t write = at(6);
  EXPECT_EQ(d["o"][write], 2);  // info
  EXPECT_EQ(d["keys"][d["k"][write].get<size_t>()], "k7");

  size_t read = at(8);
  EXPECT_EQ(f(read), "read");
  std::string v = d["v"][read];
  EXPECT_NE(v.find("300 elements"), std::string::npos) << v;  // abbreviated, and says so
  EXPECT_EQ(v.rfind("[0,1,2,3", 0), 0u);

  size_t orphan = at(12);
  EXPECT_EQ(d["orphans"], nlohmann::json::array({orphan}));
  EXPECT_EQ(d["d"][orphan], 0);

  size_t pending = at(13);
  EXPECT_EQ(d["o"][pending], 3);
  EXPECT_EQ(d["d"][pending], -1);
  EXPECT_EQ(d["b"][pending], -1);

  ASSERT_EQ(d["faults"].size(), 1u);
  EXPECT_EQ(d["faults"][0]["l"], "kill n2");
  EXPECT_EQ(d["faults"][0]["s"], 3000);
  EXPECT_EQ(d["faults"][0]["e"], 14000);
}

// Acceptance: a 1,000,000-operation history opens in headless Chromium and
// draws its first screen. The page adds <div id="rendered" data-ops=…
// data-first=…> once it has drawn; --dump-dom prints the DOM after load.
TEST(ReportTimeline, AMillionOperationsOpenInHeadlessChromium) {
  if (!report::in_path("chromium"))
    GTEST_SKIP() << "chromium is not installed (Debian package chromium; setup.sh installs it)";

  // 10 workers, 1,000,000 client operations of 1-30 ms; every 500th ends
  // info and its worker goes on as a new process; a kill every 100 s.
  struct Ev {
    int64_t time;
    int64_t process;
    int32_t kind;  // 0 invoke, 1 ok, 2 info, 3 nemesis invoke, 4 nemesis info
    int64_t value;
  };
  std::vector<Ev> evs;
  evs.reserve(2000100);
  std::mt19937_64 rng(7);
  const int64_t kOps = 1000000, kWorkers = 10;
  int64_t next_process = kWorkers, value = 0;
  for (int64_t w = 0; w < kWorkers; ++w) {
    int64_t t = w * 100000, process = w;  // 0.1 ms apart
    for (int64_t k = 0; k < kOps / kWorkers; ++k) {
      int64_t latency = (1 + static_cast<int64_t>(rng() % 30)) * kMs;
      bool info = rng() % 500 == 0;
      evs.push_back({t, process, 0, value});
      evs.push_back({t + latency, process, info ? 2 : 1, value});
      ++value;
      t += latency + 100000;
      if (info) process = next_process++;
    }
  }
  int64_t end = 0;
  for (const Ev& e : evs) end = std::max(end, e.time);
  for (int64_t t = 50000 * kMs; t + 10000 * kMs < end; t += 100000 * kMs) {
    evs.push_back({t, kNemesisProcess, 3, 0});
    evs.push_back({t + 1 * kMs, kNemesisProcess, 4, 1});
    evs.push_back({t + 10000 * kMs, kNemesisProcess, 3, 2});
    evs.push_back({t + 10001 * kMs, kNemesisProcess, 4, 3});
  }
  std::stable_sort(evs.begin(), evs.end(), [](const Ev& a, const Ev& b) { return a.time < b.time; });
  History h;
  h.reserve(evs.size());
  for (const Ev& e : evs) {
    Op o;
    o.index = static_cast<int64_t>(h.size());
    o.time = e.time;
    o.process = e.process;
    if (e.kind < 3) {
      o.type = e.kind == 0 ? OpType::invoke : e.kind == 1 ? OpType::ok : OpType::info;
      o.f = "add";
      o.value = e.value;
      if (e.kind == 2) o.error = "deadline exceeded";
    } else {
      o.type = e.kind == 3 ? OpType::invoke : OpType::info;
      o.f = e.value < 2 ? "start-kill" : "stop-kill";
      if (e.value == 1) o.value = {{"nodes", {"n2"}}};
    }
    h.push_back(std::move(o));
  }
  evs.clear();
  evs.shrink_to_fit();

  TempDir dir("timeline-1m");
  const auto t0 = std::chrono::steady_clock::now();
  CheckContext ctx{h, {{"name", "a million operations"}}, dir.path};
  CheckResult r = make_checker("timeline")->check(ctx);
  const double write_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(r.valid, Verdict::valid) << r.summary;
  const size_t spans = r.details["operations"];
  ASSERT_EQ(r.details["client_operations"], kOps);
  const auto bytes = fs::file_size(dir.path / "timeline.html");

  fs::create_directories(dir.path / "chromium-profile");
  const auto c0 = std::chrono::steady_clock::now();
  report::ChildResult c = report::run_child(
      {"chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
       "--disable-background-networking", "--disable-component-update", "--disable-sync",
       "--user-data-dir=" + (dir.path / "chromium-profile").string(), "--window-size=1400,900",
       "--virtual-time-budget=5000", "--dump-dom", "file://" + (dir.path / "timeline.html").string()},
      std::chrono::seconds(120), dir.path / "dom.html");
  const double chromium_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count();
  const std::string dom = slurp(dir.path / "dom.html");
  ASSERT_TRUE(c.succeeded()) << c.error << "\n" << report::file_tail(dir.path / "dom.html", 2000);

  size_t at = dom.find("id=\"rendered\"");
  ASSERT_NE(at, std::string::npos) << "the page did not draw its first screen:\n" << dom.substr(0, 3000);
  std::string marker = dom.substr(at, dom.find('>', at) - at);
  auto attr = [&](const std::string& name) {
    size_t a = marker.find("data-" + name + "=\"");
    EXPECT_NE(a, std::string::npos) << name << " in " << marker;
    if (a == std::string::npos) return std::string();
    a += name.size() + 7;
    return marker.substr(a, marker.find('"', a) - a);
  };
  EXPECT_EQ(attr("ops"), std::to_string(spans));  // every operation reached the page
  EXPECT_GT(std::stoll(attr("drawn")), 10);
  // The first screen shows the run's first operations: the ten workers'
  // first invocations are history indices 0..9.
  EXPECT_EQ(attr("first").rfind("0,1,2,3,4,5,6,7,8,9,", 0), 0u) << marker;
  const double first_ms = std::stod(attr("ms"));
  EXPECT_LT(first_ms, 20000);
  RecordProperty("html_bytes", std::to_string(bytes));
  RecordProperty("first_render_ms", std::to_string(first_ms));
  printf("[ figures  ] %zu operations; timeline.html %.1f MB written in %.2f s; first screen drawn %.0f ms after "
         "opening; chromium ran %.1f s\n",
         spans, bytes / 1e6, write_s, first_ms, chromium_s);
}
