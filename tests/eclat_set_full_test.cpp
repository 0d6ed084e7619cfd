// set-full ("lost-writes" in results) on hand-made histories, one per outcome.
// Every history is checked twice: in memory (a run) and from a JSON Lines file
// (eclat check, set-full's lean reader); both must give the same details.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "checker/checker.hpp"

using namespace eclat;

namespace {

struct Builder {
  History h;
  int64_t t = 0;
  void op(OpType type, int64_t process, const std::string& f, nlohmann::json value = nullptr) {
    Op o;
    o.index = static_cast<int64_t>(h.size());
    o.type = type;
    o.process = process;
    o.f = f;
    o.value = std::move(value);
    o.time = t += 10;
    h.push_back(o);
  }
  void add(int64_t p, int e, OpType outcome) {
    op(OpType::invoke, p, "add", e);
    op(outcome, p, "add", e);
  }
  void read(std::vector<int> xs) {
    op(OpType::invoke, 99, "read");
    op(OpType::ok, 99, "read", xs);
  }
  CheckResult check(nlohmann::json scenario = nullptr) const {
    CheckContext ctx{h, scenario, "."};
    CheckResult in_memory = make_checker("lost-writes")->check(ctx);
    const auto file = std::filesystem::temp_directory_path() / ("eclat-setfull-" + std::to_string(getpid()) + ".jsonl");
    {
      std::ofstream out(file);
      for (const Op& o : h) out << o.to_json().dump() << "\n";
    }
    CheckResult from_file = make_checker("lost-writes")->check(CheckContext{HistorySource(file), scenario, "."});
    std::filesystem::remove(file);
    EXPECT_EQ(from_file.details, in_memory.details);
    EXPECT_EQ(from_file.valid, in_memory.valid);
    EXPECT_EQ(from_file.summary, in_memory.summary);
    return in_memory;
  }
};

}  // namespace

TEST(LostWrites, AllAcknowledgedPresentIsValid) {
  Builder b;
  b.add(0, 1, OpType::ok);
  b.add(1, 2, OpType::ok);
  b.read({1, 2});
  auto r = b.check();
  EXPECT_EQ(r.valid, Verdict::valid) << r.summary;
  EXPECT_EQ(r.details["lost_count"], 0);
  EXPECT_EQ(r.details["stable"], 2);
}

TEST(LostWrites, MissingAcknowledgedIsLost) {
  Builder b;
  b.add(0, 1, OpType::ok);
  b.add(1, 2, OpType::ok);
  b.read({1});
  auto r = b.check();
  EXPECT_EQ(r.valid, Verdict::invalid);
  EXPECT_EQ(r.details["lost_count"], 1);
  EXPECT_EQ(r.details["lost"][0], 2);
}

TEST(LostWrites, InfoMayBePresentOrAbsent) {
  Builder b;
  b.add(0, 1, OpType::info);
  b.add(1, 2, OpType::info);
  b.op(OpType::invoke, 2, "add", 3);  // never completed: a killed run
  b.read({1, 3});
  auto r = b.check();
  EXPECT_EQ(r.valid, Verdict::valid) << r.summary;
  EXPECT_EQ(r.details["recovered"], 2);
  EXPECT_EQ(r.details["not_recovered"], 1);
}

TEST(LostWrites, ReadButNeverAddedIsUnexpected) {
  Builder b;
  b.add(0, 1, OpType::ok);
  b.read({1, 42});
  auto r = b.check();
  EXPECT_EQ(r.valid, Verdict::invalid);
  EXPECT_EQ(r.details["unexpected"][0], 42);
}

TEST(LostWrites, FailedButPresentIsInvalid) {
  Builder b;
  b.add(0, 1, OpType::fail);
  b.read({1});
  auto r = b.check();
  EXPECT_EQ(r.valid, Verdict::invalid);
  EXPECT_EQ(r.details["failed_but_present_count"], 1);
}

TEST(LostWrites, DuplicatedInOneReadIsInvalid) {
  Builder b;
  b.add(0, 1, OpType::ok);
  b.read({1, 1});
  auto r = b.check();
  EXPECT_EQ(r.valid, Verdict::invalid);
  EXPECT_EQ(r.details["duplicated_count"], 1);
}

TEST(LostWrites, NoFinalReadIsUnknown) {
  Builder b;
  b.add(0, 1, OpType::ok);
  b.op(OpType::invoke, 99, "read");
  b.op(OpType::fail, 99, "read");
  EXPECT_EQ(b.check().valid, Verdict::unknown);
}

TEST(LostWrites, TheLastSuccessfulReadCounts) {
  Builder b;
  b.add(0, 1, OpType::ok);
  b.read({});
  b.read({1});
  EXPECT_EQ(b.check().valid, Verdict::valid);
}

TEST(SetFull, MissedThenSeenIsStaleAndValidUnlessReadsMustBeLinearizable) {
  Builder b;
  b.add(0, 1, OpType::ok);
  b.read({});
  b.read({1});
  auto r = b.check();
  EXPECT_EQ(r.valid, Verdict::valid) << r.summary;
  EXPECT_EQ(r.details["stale_count"], 1);
  EXPECT_EQ(r.details["stale"][0], 1);
  auto strict = b.check(nlohmann::json{{"set", {{"linearizable-reads", "true"}}}});
  EXPECT_EQ(strict.valid, Verdict::invalid);
}

TEST(SetFull, SeenThenMissingFromTheLastReadIsLost) {
  Builder b;
  b.add(0, 1, OpType::ok);
  b.add(0, 2, OpType::ok);
  b.read({1, 2});
  b.read({1});
  auto r = b.check();
  EXPECT_EQ(r.valid, Verdict::invalid);
  EXPECT_EQ(r.details["lost"], nlohmann::json::array({2}));
  EXPECT_EQ(r.details["lost_detail"][0]["last_seen_ns"], b.h[5].time) << "last seen by the first read";
}

TEST(SetFull, AcknowledgedAfterTheLastReadIsNeverRead) {
  Builder b;
  b.add(0, 1, OpType::ok);
  b.read({1});
  b.add(0, 2, OpType::ok);
  auto r = b.check();
  EXPECT_EQ(r.valid, Verdict::valid) << r.summary;
  EXPECT_EQ(r.details["never_read_count"], 1);
  EXPECT_EQ(r.details["never_read"][0], 2);
  EXPECT_EQ(r.details["stable"], 1);
}

TEST(SetFull, IndeterminateSeenThenVanishedIsLost) {
  Builder b;
  b.add(0, 1, OpType::info);
  b.read({1});
  b.read({});
  auto r = b.check();
  EXPECT_EQ(r.valid, Verdict::invalid);
  EXPECT_EQ(r.details["recovered"], 1);
  EXPECT_EQ(r.details["lost"][0], 1);
}

TEST(SetFull, StableLatencyRunsFromAcknowledgementToTheFirstReadOfTheFinalRun) {
  Builder b;
  b.add(0, 1, OpType::ok);  // acknowledged at t=20
  b.read({});               // invoked at 30: a miss
  b.read({1});              // invoked at 50
  b.read({1});
  auto r = b.check();
  EXPECT_DOUBLE_EQ(r.details["stable_latency_ms"]["1"].get<double>(), (50 - 20) / 1e6);
}

TEST(SetFull, StringElementsWork) {
  Builder b;
  b.op(OpType::invoke, 0, "add", "a");
  b.op(OpType::ok, 0, "add", "a");
  b.op(OpType::invoke, 9, "read");
  b.op(OpType::ok, 9, "read", nlohmann::json::array({"a", "b"}));
  auto r = b.check();
  EXPECT_EQ(r.valid, Verdict::invalid);
  EXPECT_EQ(r.details["unexpected"][0], "b");
  EXPECT_EQ(r.details["stable"], 1);
}

TEST(Stats, AKindThatNeverSucceededIsUnknown) {
  Builder b;
  b.add(0, 1, OpType::fail);
  b.add(0, 2, OpType::info);
  CheckContext ctx{b.h, nullptr, "."};
  auto r = make_checker("stats")->check(ctx);
  EXPECT_EQ(r.valid, Verdict::unknown);
  EXPECT_EQ(r.details["by_f"]["add"]["fail"], 1);
}

TEST(Checkers, OverallVerdictIsTheWorst) {
  Builder b;
  b.add(0, 1, OpType::ok);
  b.read({});
  CheckContext ctx{b.h, nullptr, "."};
  auto j = run_checkers({"stats", "lost-writes"}, ctx);
  EXPECT_EQ(j["valid"], false);
  EXPECT_EQ(j["checkers"]["stats"]["valid"], true);
}

TEST(SetFull, IndeterminateSeenByTheLastReadIsStableNotNeverRead) {
  Builder b;
  b.add(0, 1, OpType::info);
  b.read({1});
  auto r = b.check();
  EXPECT_EQ(r.valid, Verdict::valid) << r.summary;
  EXPECT_EQ(r.details["stable"], 1);
  EXPECT_EQ(r.details["never_read_count"], 0);
}

#include "cli/progress.hpp"

TEST(Progress, CountsOutcomesAndTracksActiveFaults) {
  Progress p(30, /*terminal=*/false);
  p.set_phase("main");
  Op op;
  op.f = "add";
  op.type = OpType::ok;
  p.observe(op);
  op.type = OpType::info;
  p.observe(op);
  Op nem;
  nem.process = kNemesisProcess;
  nem.f = "start-kill";
  nem.type = OpType::invoke;
  p.observe(nem);
  EXPECT_NE(p.line().find("faults: none"), std::string::npos) << "an invoke does not open a fault";
  nem.type = OpType::info;
  p.observe(nem);
  EXPECT_NE(p.line().find("ok 1 fail 0 info 1"), std::string::npos) << p.line();
  EXPECT_NE(p.line().find("faults: kill"), std::string::npos) << p.line();
  nem.f = "stop-kill";
  p.observe(nem);
  EXPECT_NE(p.line().find("faults: none"), std::string::npos) << p.line();
  EXPECT_NE(p.line().find("[main]"), std::string::npos);
}

// The lean reader takes the general path for lines the fast parser leaves
// alone (here: an unknown field), interns non-integer elements (a string, an
// array, an object) by their JSON, skips nemesis operations, forgives a
// cut-short last line and names a malformed one, like read_history.
TEST(SetFull, TheFileReaderAgreesWithTheGeneralReaderOnOddLines) {
  const auto file = std::filesystem::temp_directory_path() / ("eclat-setfull-odd-" + std::to_string(getpid()) + ".jsonl");
  auto write = [&](const std::string& text) { std::ofstream(file) << text; };
  const std::string body =
      R"({"index":0,"type":"invoke","process":0,"f":"add","value":"x","time":1})" "\n"
      R"({"index":1,"type":"ok","process":0,"f":"add","value":"x","time":2,"note":"extra"})" "\n"
      R"({"index":2,"type":"invoke","process":1,"f":"add","value":[1,2],"time":3})" "\n"
      R"({"index":3,"type":"ok","process":1,"f":"add","value":[1,2],"time":4})" "\n"
      R"({"index":4,"type":"invoke","process":"nemesis","f":"start-kill","time":5})" "\n"
      R"({"index":5,"type":"invoke","process":2,"f":"add","value":7,"time":6})" "\n"
      R"({"index":6,"type":"ok","process":2,"f":"add","value":7,"time":7})" "\n"
      R"({"index":7,"type":"invoke","process":3,"f":"read","time":8})" "\n"
      R"({"index":8,"type":"ok","process":3,"f":"read","value":["x",[1,2],{"k":1}],"time":9})" "\n";
  write(body + R"({"index":9,"type":"invoke","proc)");
  ReadResult general = read_history(file);
  ASSERT_TRUE(general.truncated_tail);
  CheckResult a = make_checker("lost-writes")->check(CheckContext{general.history, nullptr, "."});
  CheckResult b = make_checker("lost-writes")->check(CheckContext{HistorySource(file), nullptr, "."});
  EXPECT_EQ(a.details, b.details);
  EXPECT_EQ(b.details["lost"], nlohmann::json::array({7}));
  EXPECT_EQ(b.details["unexpected"], nlohmann::json::array({nlohmann::json{{"k", 1}}}));
  EXPECT_EQ(b.details["stable"], 2);

  write(body + "{not json}\n" + body);
  try {
    make_checker("lost-writes")->check(CheckContext{HistorySource(file), nullptr, "."});
    ADD_FAILURE() << "a malformed line must be refused";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find(file.string() + ":10:"), std::string::npos) << e.what();
  }
  std::filesystem::remove(file);
}
