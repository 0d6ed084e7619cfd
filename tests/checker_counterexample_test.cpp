// The linearizability counterexample tells the truth and nothing more: what
// it shows is not linearizable by itself, every operation carries the
// outcome the history gave it (unless marked relaxed), and it is 1-minimal:
// no operation whose removal is sound (pure, or unobserved by every other)
// could go while it still fails. Hand-made histories, then random small
// ones for every model with a may_observe.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <sstream>

#include "checker/linearizability/formats.hpp"
#include "checker/linearizability/linearizable.hpp"
#include "checker_test_util.hpp"

using namespace eclat;
using namespace eclat::lin;
using json = nlohmann::json;
using checker_test::jsonl;

namespace {

struct Checked {
  std::vector<LinOp> ops;  // the history's, paired
  Report rep;
};

Checked check(const std::string& text, const std::string& model) {
  ReadResult r = parse_any_history(text, "test");
  CheckOptions o;
  o.model = model;
  o.time_limit_s = 60;
  o.threads = 1;
  std::vector<std::string> where;
  Checked c;
  c.ops = pair_operations(r.history, r.lines, "test", &where);
  c.rep = check_operations(c.ops, o, where);
  return c;
}

bool fails(const std::vector<LinOp>& ops, const std::vector<std::vector<uint32_t>>& slots,
           const std::vector<std::string>& keys, const Model& model) {
  ValuePool pool;
  std::vector<SearchOp> s = encode_operations(ops, slots, nullptr, model, pool);
  return search(s, keys, {}, model, pool, Budget{}).outcome == Outcome::not_linearizable;
}

bool is_pure(const Model& model, const LinOp& op) {
  ValuePool pool;
  auto e = model.encode(op, pool);
  return !e || e->pure;
}

// "" when the counterexample is truthful and 1-minimal, else what is wrong.
std::string verify(const Checked& c, const std::string& model_name) {
  if (!c.rep.counterexample) return "no counterexample";
  const Counterexample& cx = *c.rep.counterexample;
  auto model = make_model(model_name);
  std::ostringstream bad;
  if (!fails(cx.ops, cx.slots, cx.keys, *model)) bad << "the counterexample is linearizable\n";
  std::map<int64_t, const LinOp*> by_index;
  for (const auto& o : c.ops) by_index[o.index] = &o;
  json j = cx.to_json();
  for (size_t i = 0; i < cx.ops.size(); ++i) {
    const LinOp& shown = cx.ops[i];
    auto it = by_index.find(shown.index);
    if (it == by_index.end()) {
      bad << "#" << i << " is not in the history\n";
      continue;
    }
    const LinOp& h = *it->second;
    if (cx.history[i].info != h.info || cx.history[i].output != h.output) bad << "#" << i << ": wrong history outcome\n";
    std::string outcome = j["operations"][i]["outcome"];
    std::string history_outcome = j["operations"][i]["history_outcome"];
    if (history_outcome != (h.info ? "info" : "ok")) bad << "#" << i << ": history_outcome " << history_outcome << "\n";
    if (outcome == "relaxed") {
      if (h.info || !shown.info) bad << "#" << i << ": relaxed but not ok in the history, shown info\n";
    } else if (shown.info != h.info || (!h.info && shown.output != h.output) || outcome != history_outcome) {
      bad << "#" << i << ": shown " << outcome << " but " << history_outcome << " in the history, not marked\n";
    }
  }
  // 1-minimal: no sound single removal still fails.
  for (size_t i = 0; i < cx.ops.size(); ++i) {
    bool sound = is_pure(*model, cx.ops[i]);
    if (!sound) {
      sound = true;
      // As the shrinking reasons: what returned before it was invoked cannot see it.
      auto sees = [&](const LinOp& o) {
        return !(!o.info && o.ret < cx.ops[i].call) && model->may_observe(cx.ops[i], o);
      };
      for (size_t k = 0; k < cx.ops.size(); ++k)
        if (k != i && (sees(cx.ops[k]) || (cx.relaxed(k) && sees(cx.history[k])))) sound = false;
    }
    if (!sound) continue;
    std::vector<LinOp> rest = cx.ops;
    auto sl = cx.slots;
    rest.erase(rest.begin() + static_cast<long>(i));
    sl.erase(sl.begin() + static_cast<long>(i));
    if (fails(rest, sl, cx.keys, *model)) bad << "#" << i << " could soundly go and it would still fail\n";
  }
  std::string s = bad.str();
  return s.empty() ? s : s + cx.table();
}

TEST(CounterexampleShrink, TwoWritesThenReadOfNilShowsTwo) {
  Checked c = check(jsonl({"0 invoke write 1", "0 ok write 1", "0 invoke write 2", "0 ok write 2",
                           "1 invoke read null", "1 ok read null"}),
                    "cas-register");
  ASSERT_EQ(c.rep.outcome, Outcome::not_linearizable);
  const Counterexample& cx = *c.rep.counterexample;
  EXPECT_EQ(cx.ops.size(), 2u) << cx.table();
  EXPECT_EQ(verify(c, "cas-register"), "");
  for (size_t i = 0; i < cx.ops.size(); ++i) EXPECT_FALSE(cx.ops[i].info) << cx.table();
  EXPECT_EQ(cx.part, "the register");
}

TEST(CounterexampleShrink, AValueNobodyWroteIsShownAlone) {
  // write 1 is read back, so it goes only after its read; write 2 nobody saw.
  Checked c = check(jsonl({"0 invoke write 1", "0 ok write 1", "0 invoke read null", "0 ok read 1",
                           "1 invoke write 2", "1 info write 2", "2 invoke read null", "2 ok read 3"}),
                    "cas-register");
  ASSERT_EQ(c.rep.outcome, Outcome::not_linearizable);
  const Counterexample& cx = *c.rep.counterexample;
  ASSERT_EQ(cx.ops.size(), 1u) << cx.table();
  EXPECT_EQ(cx.shown[0], "read -> 3");
  EXPECT_EQ(verify(c, "cas-register"), "");
}

TEST(CounterexampleShrink, AWriteSomeoneReadStays) {
  // {read 1} alone would fail, falsely: the history wrote 1 before it.
  Checked c = check(jsonl({"0 invoke write 1", "0 ok write 1", "1 invoke read null", "1 ok read 1",
                           "0 invoke write 2", "0 ok write 2", "1 invoke read null", "1 ok read 1"}),
                    "cas-register");
  ASSERT_EQ(c.rep.outcome, Outcome::not_linearizable);
  const Counterexample& cx = *c.rep.counterexample;
  std::string table = cx.table();
  EXPECT_EQ(cx.ops.size(), 3u) << table;
  EXPECT_NE(table.find("write 1"), std::string::npos) << table;
  EXPECT_NE(table.find("write 2"), std::string::npos) << table;
  EXPECT_EQ(verify(c, "cas-register"), "");
}

TEST(CounterexampleShrink, AnOperationTheCutLeftRunningIsMarkedRelaxed) {
  // The cas is still running at the cut (the completion of `read 1`), and a
  // write is invoked before it returns: its ok cannot be given back (the
  // write might be what made it succeed), so it is shown relaxed.
  std::string h = jsonl({"0 invoke cas [1,2]", "1 invoke write 1", "1 ok write 1", "1 invoke read null",
                         "1 ok read 2", "1 invoke read null", "1 ok read 1", "2 invoke write 3",
                         "0 ok cas [1,2]", "2 ok write 3"});
  Checked c = check(h, "cas-register");
  ASSERT_EQ(c.rep.outcome, Outcome::not_linearizable);
  const Counterexample& cx = *c.rep.counterexample;
  EXPECT_EQ(verify(c, "cas-register"), "");
  json j = cx.to_json();
  bool relaxed = false;
  for (const auto& op : j["operations"])
    if (op["outcome"] == "relaxed") {
      relaxed = true;
      EXPECT_EQ(op["history_outcome"], "ok");
      EXPECT_TRUE(op["returned_ms"].is_null());
    }
  EXPECT_TRUE(relaxed) << cx.table();
  EXPECT_NE(cx.table().find("was ok in the history"), std::string::npos) << cx.table();

  // With a read there instead (it cannot change the state), the cas gets its ok back.
  std::string h2 = jsonl({"0 invoke cas [1,2]", "1 invoke write 1", "1 ok write 1", "1 invoke read null",
                          "1 ok read 2", "1 invoke read null", "1 ok read 1", "2 invoke read null",
                          "0 ok cas [1,2]", "2 ok read 2"});
  Checked c2 = check(h2, "cas-register");
  ASSERT_EQ(c2.rep.outcome, Outcome::not_linearizable);
  EXPECT_EQ(verify(c2, "cas-register"), "");
  for (const auto& op : c2.rep.counterexample->to_json()["operations"])
    EXPECT_EQ(op["outcome"], op["history_outcome"]) << c2.rep.counterexample->table();
}

TEST(CounterexampleShrink, TimesAndTheJsonContract) {
  std::string h =
      "{\"type\":\"invoke\",\"process\":3,\"f\":\"write\",\"value\":3,\"key\":\"25\",\"time\":812400000}\n"
      "{\"type\":\"ok\",\"process\":3,\"f\":\"write\",\"value\":3,\"key\":\"25\",\"time\":815000000}\n"
      "{\"type\":\"invoke\",\"process\":4,\"f\":\"read\",\"value\":null,\"key\":\"25\",\"time\":816000000}\n"
      "{\"type\":\"ok\",\"process\":4,\"f\":\"read\",\"value\":4,\"key\":\"25\",\"time\":817500000}\n"
      "{\"type\":\"invoke\",\"process\":5,\"f\":\"write\",\"value\":9,\"key\":\"25\",\"time\":818000000}\n"
      "{\"type\":\"info\",\"process\":5,\"f\":\"write\",\"value\":9,\"key\":\"25\",\"time\":819000000}\n";
  Checked c = check(h, "cas-register");
  ASSERT_EQ(c.rep.outcome, Outcome::not_linearizable);
  const Counterexample& cx = *c.rep.counterexample;
  json j = cx.to_json();
  EXPECT_EQ(j["part"], "key 25");
  EXPECT_EQ(j["keys"], json::array({"25"}));
  ASSERT_EQ(j["operations"].size(), 1u) << cx.table();  // nobody wrote 4
  const json& op = j["operations"][0];
  EXPECT_EQ(op["n"], 0);
  EXPECT_EQ(op["index"], 2);
  EXPECT_EQ(op["process"], 4);
  EXPECT_EQ(op["key"], "25");
  EXPECT_EQ(op["op"], "[25] read -> 4");
  EXPECT_EQ(op["outcome"], "ok");
  EXPECT_EQ(op["history_outcome"], "ok");
  EXPECT_DOUBLE_EQ(op["invoked_ms"].get<double>(), 816.0);
  EXPECT_DOUBLE_EQ(op["returned_ms"].get<double>(), 817.5);
  EXPECT_DOUBLE_EQ(op["duration_ms"].get<double>(), 1.5);
  EXPECT_EQ(j["original_operations"], 3);
  EXPECT_EQ(j["shrunk_fully"], true);
  EXPECT_TRUE(j["linearizable_prefix"].is_array());
  EXPECT_TRUE(j["state"].is_object());
  EXPECT_EQ(j["stuck"], 0);
  EXPECT_FALSE(j["why"].get<std::string>().empty());
  EXPECT_TRUE(j.contains("svg"));
  EXPECT_TRUE(j.contains("timeline_svg"));
  std::string table = cx.table();
  EXPECT_NE(table.find("816.0 ms"), std::string::npos) << table;
  EXPECT_NE(table.find("1.5 ms"), std::string::npos) << table;
  EXPECT_NE(table.find("counterexample in key 25"), std::string::npos) << table;
  std::string svg = cx.timeline();
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("process 4"), std::string::npos);
  EXPECT_NE(svg.find("stroke=\"red\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("read -&gt; 4"), std::string::npos) << svg;

  // An indeterminate operation: open-ended (dashed), returned never.
  Checked c2 = check(jsonl({"0 invoke write 1", "0 info write 1", "1 invoke read null", "1 ok read 1",
                            "1 invoke read null", "1 ok read null"}),
                     "cas-register");
  ASSERT_EQ(c2.rep.outcome, Outcome::not_linearizable);
  json j2 = c2.rep.counterexample->to_json();
  bool info = false;
  for (const auto& o : j2["operations"])
    if (o["outcome"] == "info") {
      info = true;
      EXPECT_TRUE(o["returned_ms"].is_null());
      EXPECT_TRUE(o["duration_ms"].is_null());
    }
  EXPECT_TRUE(info) << c2.rep.counterexample->table();
  EXPECT_NE(c2.rep.counterexample->timeline().find("stroke-dasharray"), std::string::npos);
  EXPECT_NE(c2.rep.counterexample->table().find("never"), std::string::npos);
}

TEST(CounterexampleShrink, TheSummaryNamesThePartShown) {
  // Key a (first in order) fails with four operations, key b with one: the
  // counterexample shows b, and so does the summary.
  Checked c = check(jsonl({"0 invoke write 1 a", "0 ok write 1 a", "0 invoke write 2 a", "0 ok write 2 a",
                           "0 invoke read null a", "0 ok read 1 a", "1 invoke read null a", "1 ok read 1 a",
                           "2 invoke read null b", "2 ok read 7 b"}),
                    "cas-register");
  ASSERT_EQ(c.rep.outcome, Outcome::not_linearizable);
  ASSERT_TRUE(c.rep.counterexample);
  EXPECT_EQ(c.rep.counterexample->part, "key b");
  EXPECT_NE(c.rep.summary().find("counterexample in key b"), std::string::npos) << c.rep.summary();
  EXPECT_EQ(c.rep.summary().find("key a"), std::string::npos) << c.rep.summary();
  EXPECT_EQ(part_words({"3", "7"}), "keys 3, 7");
  EXPECT_EQ(part_words({""}), "the register");
}

// ---- random small histories --------------------------------------------

// A random interleaving of a few processes' operations, with random
// outcomes and outputs (most are then not linearizable: those are kept).
std::string random_history(const std::string& model, std::mt19937& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  bool keyed = pick(2) == 0;
  int nops = 3 + pick(8);
  struct Open {
    json inv;
    bool busy = false;
  };
  std::vector<Open> procs(3);
  std::string out;
  int started = 0;
  // Outputs are mostly values some operation put there, so that many
  // violations need several operations to explain (not a value from nowhere).
  std::vector<int> written;
  auto some_written = [&] { return written.empty() || pick(5) == 0 ? 1 + pick(3) : written[static_cast<size_t>(pick(static_cast<int>(written.size())))]; };
  auto invocation = [&](int p) {
    json e;
    e["type"] = "invoke";
    e["process"] = p;
    if (keyed) e["key"] = pick(2) ? "a" : "b";
    int v = 1 + pick(3);
    written.push_back(v);
    if (model == "register" || model == "cas-register" || model == "multi-register") {
      int f = pick(model == "cas-register" ? 3 : 2);
      e["f"] = f == 0 ? "read" : f == 1 ? "write" : "cas";
      e["value"] = f == 0 ? json() : f == 1 ? json(v) : json::array({v, 1 + pick(3)});
    } else if (model == "kv") {
      int f = pick(3);
      e["f"] = f == 0 ? "get" : f == 1 ? "put" : "append";
      e["value"] = f == 0 ? json() : json(std::string(1, static_cast<char>('x' + pick(2))));
    } else if (model == "set") {
      e["f"] = pick(2) ? "add" : "read";
      e["value"] = e["f"] == "add" ? json(v) : json();
    } else {
      e["f"] = pick(2) ? "enqueue" : "dequeue";
      e["value"] = e["f"] == "enqueue" ? json(v) : json();
    }
    return e;
  };
  auto completion = [&](const json& inv) {
    json e = inv;
    e["type"] = pick(5) == 0 ? "info" : "ok";
    std::string f = inv["f"];
    if (e["type"] == "info") return e;
    if (f == "read" && (model == "register" || model == "cas-register" || model == "multi-register")) {
      e["value"] = pick(6) == 0 ? json() : json(some_written());
    } else if (f == "cas") {
      if (pick(3) == 0) e["value"] = false;
    } else if (f == "get") {
      static const char* strings[] = {"", "x", "y", "xy", "yx", "xx"};
      e["value"] = strings[pick(6)];
    } else if (f == "read") {
      json s = json::array();
      for (int v = 1; v <= 3; ++v)
        if (std::find(written.begin(), written.end(), v) != written.end() ? pick(4) != 0 : pick(6) == 0)
          s.push_back(v);
      e["value"] = s;
    } else if (f == "dequeue") {
      e["value"] = some_written();
    }
    return e;
  };
  while (started < nops || procs[0].busy || procs[1].busy || procs[2].busy) {
    int p = pick(3);
    if (procs[p].busy) {
      out += completion(procs[p].inv).dump() + "\n";
      procs[p].busy = false;
    } else if (started < nops) {
      procs[p].inv = invocation(p);
      procs[p].busy = true;
      ++started;
      out += procs[p].inv.dump() + "\n";
    }
  }
  return out;
}

TEST(CounterexampleShrink, RandomHistoriesAreTruthfulAndMinimal) {
  for (std::string model : {"register", "cas-register", "multi-register", "kv", "set", "fifo-queue",
                            "unordered-queue"}) {
    std::mt19937 rng(4242);
    int invalid = 0, shown = 0, original = 0, failures = 0;
    for (int h = 0; h < 600 && failures < 3; ++h) {
      std::string text = random_history(model, rng);
      Checked c = check(text, model);
      if (c.rep.outcome != Outcome::not_linearizable) continue;
      ++invalid;
      shown += static_cast<int>(c.rep.counterexample->ops.size());
      original += static_cast<int>(c.rep.counterexample->original_ops);
      std::string bad = verify(c, model);
      if (!bad.empty()) {
        ADD_FAILURE() << model << " history " << h << ":\n" << text << bad;
        ++failures;
      }
    }
    EXPECT_GT(invalid, 50) << model;
    std::printf("counterexamples %-16s %d invalid histories, %.2f operations shown of %.2f in their part\n",
                model.c_str(), invalid, invalid ? double(shown) / invalid : 0.0,
                invalid ? double(original) / invalid : 0.0);
  }
}

// may_observe's promise, tested on linearizable histories: dropping
// operations that change the state but that no remaining one may observe
// (one after another, as the shrinking does, which also knows that what
// returned before an operation's invocation cannot observe it) never makes
// a linearizable history non-linearizable.
TEST(MayObserve, DroppingTheUnobservedKeepsALinearizableHistoryLinearizable) {
  for (std::string model : {"register", "cas-register", "multi-register", "kv", "set", "fifo-queue",
                            "unordered-queue"}) {
    std::mt19937 rng(777);
    int valid = 0, drops = 0, failures = 0;
    auto m = make_model(model);
    for (int h = 0; h < 3000 && failures < 3; ++h) {
      std::string text = random_history(model, rng);
      Checked c = check(text, model);
      if (c.rep.outcome != Outcome::linearizable) continue;
      ++valid;
      std::vector<LinOp> ops = c.ops;
      // In a random order, drop each operation that may soundly go.
      std::vector<size_t> order(ops.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::shuffle(order.begin(), order.end(), rng);
      std::vector<bool> gone(ops.size(), false);
      for (size_t i : order) {
        if (is_pure(*m, ops[i])) continue;  // pure ones are kept: they are the observers
        bool seen = false;
        for (size_t j = 0; j < ops.size() && !seen; ++j)
          seen = j != i && !gone[j] && !(!ops[j].info && ops[j].ret < ops[i].call) &&
                 m->may_observe(ops[i], ops[j]);
        if (seen) continue;
        gone[i] = true;
        ++drops;
        std::vector<LinOp> rest;
        for (size_t j = 0; j < ops.size(); ++j)
          if (!gone[j]) rest.push_back(ops[j]);
        CheckOptions o;
        o.model = model;
        o.counterexample = false;
        o.threads = 1;
        if (!rest.empty() && check_operations(rest, o).outcome == Outcome::not_linearizable) {
          ADD_FAILURE() << model << ": dropping " << m->show_op(ops[i])
                        << " (observed by nobody left) made a linearizable history fail:\n" << text;
          ++failures;
          break;
        }
      }
    }
    EXPECT_GT(valid, 100) << model;
    std::printf("may_observe %-16s %d linearizable histories, %d operations dropped as unobserved\n",
                model.c_str(), valid, drops);
  }
}

}  // namespace
