// timeline as a debugging tool: what the verdict checkers found reaches the
// page (run_checkers runs timeline last), and in a real headless Chromium,
// driven over the DevTools protocol, the page highlights the counterexample
// and the lost write, filters from its address and its toolbar, and selects
// and scrolls from its address.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "checker/checker.hpp"
#include "checker/report_ops.hpp"
#include "cdp_client.hpp"
#include "report_test_util.hpp"

using namespace eclat;
using namespace report_test;
namespace fs = std::filesystem;

namespace {

const char* const kKeys[] = {"24", "25", "26"};

// 120 operations on keys 24, 25, 26 by 5 processes, 2 ms apart, 3 ms each
// (0.24 s: more than one screen): operation j is a write of j when j is
// even, a read otherwise; j = 7 ends info, j = 11 fails.
struct Hand {
  History h;
  std::vector<int64_t> invoke_index;  // of operation j
};
Hand hand_made() {
  struct Ev {
    int64_t time;
    int j;
    bool invoke;
  };
  std::vector<Ev> evs;
  for (int j = 0; j < 120; ++j) {
    evs.push_back({j * 2 * kMs, j, true});
    evs.push_back({j * 2 * kMs + 3 * kMs, j, false});
  }
  std::stable_sort(evs.begin(), evs.end(), [](const Ev& a, const Ev& b) { return a.time < b.time; });
  Hand out;
  out.invoke_index.resize(120);
  for (const Ev& e : evs) {
    Op o;
    o.index = static_cast<int64_t>(out.h.size());
    o.time = e.time;
    o.process = e.j % 5;
    o.key = kKeys[e.j % 3];
    o.f = e.j % 2 ? "read" : "write";
    if (e.invoke) {
      o.type = OpType::invoke;
      out.invoke_index[e.j] = o.index;
      if (o.f == "write") o.value = e.j;
    } else {
      o.type = e.j == 7 ? OpType::info : e.j == 11 ? OpType::fail : OpType::ok;
      o.value = e.j;
    }
    out.h.push_back(std::move(o));
  }
  return out;
}

// A verdict checker for the ordering test: reports the write of 6 lost.
struct FakeLost : Checker {
  CheckResult check(const CheckContext&) const override {
    CheckResult r;
    r.valid = Verdict::invalid;
    r.details["lost"] = nlohmann::json::array({6});
    r.summary = "1 lost";
    return r;
  }
};
const bool fake_registered =
    register_checker({.name = "test-lost", .doc = "tests: one lost element"}, [] { return std::make_unique<FakeLost>(); });

nlohmann::json embedded_data(const std::string& html) {
  const std::string open = "<script id=\"data\" type=\"application/json\">";
  size_t from = html.find(open) + open.size();
  return nlohmann::json::parse(html.substr(from, html.find("</script>", from) - from));
}

}  // namespace

// The timeline is named first, yet sees what test-lost found.
TEST(ReportTimelineFindings, RunCheckersRunsTimelineAfterTheVerdictCheckers) {
  Hand hand = hand_made();
  TempDir dir("timeline-findings");
  CheckContext ctx{hand.h, {{"name", "ordering"}}, dir.path};
  nlohmann::json results = run_checkers({"timeline", "test-lost"}, ctx);
  EXPECT_EQ(results["valid"], false);
  const nlohmann::json& t = results["checkers"]["timeline"];
  EXPECT_EQ(t["highlighted"]["lost"], 1) << t.dump();
  EXPECT_EQ(t["highlighted"]["counterexample"], 0);
  nlohmann::json d = embedded_data(slurp(dir.path / "timeline.html"));
  ASSERT_EQ(d["hl"]["lost"].size(), 1u);
  // The position of the write of 6 in the page's arrays: its invocation's history index.
  int64_t ix = 0;
  for (size_t i = 0; i <= d["hl"]["lost"][0].get<size_t>(); ++i) ix += d["a"][i].get<int64_t>();
  EXPECT_EQ(ix, hand.invoke_index[6]);

  // On its own (no findings) nothing is highlighted.
  CheckResult alone = make_checker("timeline")->check(ctx);
  EXPECT_EQ(alone.details["highlighted"]["lost"], 0);
}

TEST(ReportTimelineBrowser, HighlightsFiltersAndDeepLinks) {
  if (!report::in_path("chromium"))
    GTEST_SKIP() << "chromium is not installed (Debian package chromium; setup.sh installs it)";
  Hand hand = hand_made();
  const std::vector<int64_t>& inv = hand.invoke_index;
  // A counterexample of two operations on key 25 (j = 4, 7) and the write of 6 lost.
  nlohmann::json findings = {
      {"linearizable", {{"valid", false}, {"counterexample", {{"operations", {{{"index", inv[4]}}, {{"index", inv[7]}}}}}}}},
      {"lost-writes", {{"valid", false}, {"lost", {6}}}}};
  TempDir dir("timeline-browser");
  CheckContext ctx{hand.h, {{"name", "browser test"}, {"seed", 4242}}, dir.path, &findings};
  CheckResult r = make_checker("timeline")->check(ctx);
  ASSERT_EQ(r.valid, Verdict::valid) << r.summary;

  std::set<int64_t> key25, writes;
  for (int j = 0; j < 120; ++j) {
    if (j % 3 == 1) key25.insert(inv[j]);
    if (j % 2 == 0) writes.insert(inv[j]);
  }
  const int64_t target = inv[101];  // near the end: far from the opening screen

  Browser browser(dir.path / "chromium-profile");
  const std::string session = browser.open("file://" + (dir.path / "timeline.html").string());
  ASSERT_TRUE(browser.wait_for(session, "document.readyState === 'complete' && typeof window.timelineState === 'function'"))
      << slurp(dir.path / "chromium-profile" / "stderr");
  auto state = [&] { return browser.eval(session, "window.timelineState()"); };
  // Sets the address's fragment and waits for the page's hashchange.
  auto go = [&](const std::string& hash) {
    browser.eval(session, "new Promise(done => { addEventListener('hashchange', () => setTimeout(done, 0), {once: true}); "
                          "location.hash = " + nlohmann::json(hash).dump() + "; })");
    return state();
  };

  // Opened plainly: everything visible; the highlights are the counterexample and the lost write.
  nlohmann::json s = state();
  EXPECT_EQ(s["ops"], 120);
  EXPECT_EQ(s["visible"], 120);
  EXPECT_EQ(s["highlighted"], nlohmann::json(std::vector<int64_t>{inv[4], inv[6], inv[7]})) << s.dump();
  EXPECT_EQ(s["counterexample"], nlohmann::json(std::vector<int64_t>{inv[4], inv[7]}));
  EXPECT_EQ(s["lost"], nlohmann::json(std::vector<int64_t>{inv[6]}));
  EXPECT_EQ(s["selected"], nullptr);
  const std::string title = browser.eval(session, "document.title + ' | ' + document.getElementById('title').textContent");
  EXPECT_NE(title.find("browser test"), std::string::npos) << title;
  EXPECT_NE(title.find("4242"), std::string::npos) << title;
  EXPECT_EQ(browser.eval(session, "document.querySelectorAll('#hlist li').length"), 3);
  EXPECT_NE(browser.eval(session, "document.getElementById('legend').textContent").get<std::string>().find("counterexample (2)"),
            std::string::npos);

  // #key=25: key 25's operations only, and the toolbar says so.
  s = go("key=25");
  EXPECT_EQ(s["visible"], key25.size()) << s.dump();
  EXPECT_EQ(s["filter"]["key"], "25");
  EXPECT_EQ(browser.eval(session, "document.getElementById('q-key').value"), "25");
  ASSERT_FALSE(s["shown"].empty());
  for (const auto& i : s["shown"]) EXPECT_TRUE(key25.count(i.get<int64_t>())) << "drawn as matching: " << i;
  EXPECT_NE(browser.eval(session, "document.getElementById('shown').textContent").get<std::string>().find("40 of 120"), std::string::npos);

  // #key=25&t=0.1: second 0.1 of the run in view.
  s = go("key=25&t=0.1");
  EXPECT_LE(s["top"].get<double>(), 0.1) << s.dump();
  EXPECT_GE(s["bottom"].get<double>(), 0.1) << s.dump();
  EXPECT_NEAR(s["t"].get<double>(), 0.1, 0.002);
  EXPECT_GT(s["top"].get<double>(), 0.05);  // it did scroll

  // #op=N: N selected and scrolled to, from the top of the run.
  go("t=0");
  s = go("op=" + std::to_string(target));
  EXPECT_EQ(s["selected"], target) << s.dump();
  EXPECT_EQ(s["visible"], 120);  // no filter any more
  const double t_target = 101 * 0.002;
  EXPECT_LE(s["top"].get<double>(), t_target);
  EXPECT_GE(s["bottom"].get<double>(), t_target);
  EXPECT_NE(s["hash"].get<std::string>().find("op=" + std::to_string(target)), std::string::npos);
  EXPECT_EQ(browser.eval(session, "getComputedStyle(document.getElementById('sel')).display"), "block");
  EXPECT_NE(browser.eval(session, "document.getElementById('sel').textContent").get<std::string>().find("key 26"),
            std::string::npos);  // 101 % 3 == 2

  // #f=write&type=info: none (7, the info, is a read); #f=read&type=info: one.
  EXPECT_EQ(go("f=write&type=info")["visible"], 0);
  EXPECT_EQ(go("f=read&type=info")["visible"], 1);
  // #highlight=...: the highlighted operations only.
  EXPECT_EQ(go("highlight=counterexample")["visible"], 2);
  EXPECT_EQ(go("highlight=lost")["visible"], 1);
  EXPECT_EQ(go("highlight=counterexample|lost")["visible"], 3);

  // Scrolled by hand: the address follows (t, a tenth of the way down).
  go("t=0");
  browser.eval(session, "document.getElementById('scroller').scrollTop = 800");  // 8 px a ms: 0.1 s
  EXPECT_TRUE(browser.wait_for(session, "Math.abs(parseFloat(new URLSearchParams(location.hash.slice(1)).get('t')) - timelineState().t) < 0.001 && timelineState().t > 0.05"))
      << browser.eval(session, "location.hash");

  // Typed into the toolbar: the count follows, and so does the address.
  browser.eval(session, "(() => { const e = document.getElementById('q-f'); e.value = 'write'; e.dispatchEvent(new Event('input')); })()");
  s = state();
  EXPECT_EQ(s["visible"], writes.size()) << s.dump();
  EXPECT_EQ(s["filter"]["f"], "write");
  EXPECT_NE(s["hash"].get<std::string>().find("f=write"), std::string::npos) << s["hash"];
  browser.eval(session, "(() => { const e = document.getElementById('q-value'); e.value = '10'; e.dispatchEvent(new Event('input')); })()");
  EXPECT_EQ(state()["visible"], 7);  // the writes of 10, 100, 102, 104, 106, 108, 110
  // A click in the list selects and goes to the lost write.
  browser.eval(session, "document.querySelector('#hlist li[data-op=\"" + std::to_string(inv[6]) + "\"]').click()");
  EXPECT_EQ(state()["selected"], inv[6]);
  browser.eval(session, "document.getElementById('q-clear').click()");
  EXPECT_EQ(state()["visible"], 120);
}
