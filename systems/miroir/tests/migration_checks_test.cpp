// The migration checkers on hand-made histories: placement and convergence
// judge the final inspection, stale-values the versioned keys, migration the
// loss per shard and during dual-write. One test per outcome.
#include <gtest/gtest.h>

#include "checker/checker.hpp"
#include "miroir/common/routing.hpp"

using namespace eclat;

namespace {

struct Builder {
  History h;
  int64_t t = 0;
  int64_t next_process = 100;
  Op& op(OpType type, int64_t process, const std::string& f, nlohmann::json value = nullptr,
         std::optional<std::string> key = std::nullopt) {
    Op o;
    o.index = static_cast<int64_t>(h.size());
    o.type = type;
    o.process = process;
    o.f = f;
    o.key = std::move(key);
    o.value = std::move(value);
    o.time = t += 10;
    h.push_back(o);
    return h.back();
  }
  void call(const std::string& f, OpType outcome, nlohmann::json value, std::optional<std::string> key = {}) {
    const int64_t p = next_process++;
    op(OpType::invoke, p, f, value, key);
    op(outcome, p, f, value, key);
  }
  void phase(const std::string& id, const std::string& phase) {
    op(OpType::info, kNemesisProcess, "migration", {{"migration_id", id}, {"phase", phase}, {"shard", -1}});
  }
  void inspect(nlohmann::json routes, nlohmann::json nodes, uint32_t shards = 4) {
    call("inspect", OpType::ok, {{"shards", shards}, {"routes", routes}, {"nodes", nodes}, {"epoch", 3}});
  }
  CheckResult check(const std::string& checker) const {
    CheckContext ctx{h, nullptr, "."};
    return make_checker(checker)->check(ctx);
  }
};

nlohmann::json route(uint32_t shard, std::vector<std::string> owners, uint32_t group = 0) {
  return {{"shard", shard}, {"group", group}, {"owners", owners}};
}

nlohmann::json copy(uint64_t docs, const std::string& digest) { return {{"documents", docs}, {"digest", digest}}; }

}  // namespace

TEST(Placement, EveryDocumentOnAnOwnerIsValid) {
  Builder b;
  b.inspect({route(0, {"n1"}), route(1, {"n4"})},
            {{"n1", {{"reachable", true}, {"shards", {{"0", copy(5, "a")}}}}},
             {"n4", {{"reachable", true}, {"shards", {{"1", copy(7, "b")}}}}}});
  auto r = b.check("placement");
  EXPECT_EQ(r.valid, Verdict::valid) << r.summary;
  EXPECT_EQ(r.details["documents"], 12);
}

TEST(Placement, ALeftoverOnTheOldOwnerIsInvalidAndNamed) {
  Builder b;
  b.inspect({route(0, {"n1"}), route(1, {"n4"})},
            {{"n1", {{"reachable", true}, {"shards", {{"0", copy(5, "a")}, {"1", copy(2, "c")}}}}},
             {"n4", {{"reachable", true}, {"shards", {{"1", copy(7, "b")}}}}}});
  auto r = b.check("placement");
  EXPECT_EQ(r.valid, Verdict::invalid);
  ASSERT_EQ(r.details["misplaced"].size(), 1u);
  EXPECT_EQ(r.details["misplaced"][0]["node"], "n1");
  EXPECT_EQ(r.details["misplaced"][0]["shard"], 1);
  EXPECT_EQ(r.details["misplaced_documents"], 2);
}

TEST(Placement, NoInspectionOrAnUnreachableNodeIsUnknown) {
  Builder none;
  EXPECT_EQ(none.check("placement").valid, Verdict::unknown);
  Builder b;
  b.inspect({route(0, {"n1"})}, {{"n1", {{"reachable", false}, {"shards", {{"error", "down"}}}}}});
  EXPECT_EQ(b.check("placement").valid, Verdict::unknown);
}

TEST(Convergence, EqualCopiesAreValidAndDifferentCopiesInvalid) {
  Builder same;
  same.call("anti-entropy", OpType::ok, {{"ran", true}});
  same.inspect({route(0, {"n1"}, 0), route(0, {"n3"}, 1)},
               {{"n1", {{"reachable", true}, {"shards", {{"0", copy(5, "a")}}}}},
                {"n3", {{"reachable", true}, {"shards", {{"0", copy(5, "a")}}}}}});
  auto ok = same.check("convergence");
  EXPECT_EQ(ok.valid, Verdict::valid) << ok.summary;
  EXPECT_EQ(ok.details["shards_compared"], 1);

  Builder diff;
  diff.call("anti-entropy", OpType::ok, {{"ran", true}});
  diff.inspect({route(0, {"n1"}, 0), route(0, {"n3"}, 1)},
               {{"n1", {{"reachable", true}, {"shards", {{"0", copy(5, "a")}}}}},
                {"n3", {{"reachable", true}, {"shards", nlohmann::json::object()}}}});  // n3 holds nothing
  auto bad = diff.check("convergence");
  EXPECT_EQ(bad.valid, Verdict::invalid);
  EXPECT_EQ(bad.details["differing"][0]["shard"], 0);
}

TEST(Convergence, WithAntiEntropyOffDifferencesAreShownNotJudged) {
  Builder b;
  b.call("anti-entropy", OpType::ok, {{"ran", false}, {"error_code", "miroir_anti_entropy_off"}});
  b.inspect({route(0, {"n1"}, 0), route(0, {"n3"}, 1)},
            {{"n1", {{"reachable", true}, {"shards", {{"0", copy(5, "a")}}}}},
             {"n3", {{"reachable", true}, {"shards", {{"0", copy(4, "b")}}}}}});
  auto r = b.check("convergence");
  EXPECT_EQ(r.valid, Verdict::valid);
  EXPECT_EQ(r.details["differing"].size(), 1u);
  EXPECT_NE(r.summary.find("not judged"), std::string::npos) << r.summary;
}

TEST(StaleValues, OutcomesPerKey) {
  Builder b;
  for (int v = 1; v <= 3; ++v) b.call("overwrite", OpType::ok, v, "fresh");
  for (int v = 1; v <= 3; ++v) b.call("overwrite", OpType::ok, v, "stale");
  b.call("overwrite", OpType::ok, 1, "late");
  b.call("overwrite", OpType::info, 2, "late");  // indeterminate: may land after 3
  b.call("overwrite", OpType::ok, 3, "late");
  b.call("overwrite", OpType::ok, 1, "lost");
  b.call("read", OpType::ok, 3, "fresh");
  b.call("read", OpType::ok, 2, "stale");  // the copy wrote 2 over 3
  b.call("read", OpType::ok, 2, "late");
  b.call("read", OpType::ok, nullptr, "lost");
  auto r = b.check("stale-values");
  EXPECT_EQ(r.valid, Verdict::invalid);
  EXPECT_EQ(r.details["keys"]["fresh"]["verdict"], "fresh");
  EXPECT_EQ(r.details["keys"]["stale"]["verdict"], "stale");
  EXPECT_EQ(r.details["keys"]["stale"]["newest_acknowledged"], 3);
  EXPECT_EQ(r.details["keys"]["late"]["verdict"], "late");
  EXPECT_EQ(r.details["keys"]["lost"]["verdict"], "lost");
}

TEST(StaleValues, AllFreshIsValidAndNoFinalReadUnknown) {
  Builder b;
  b.call("overwrite", OpType::ok, 1, "k");
  b.call("overwrite", OpType::fail, 2, "k");
  EXPECT_EQ(b.check("stale-values").valid, Verdict::unknown);
  b.call("read", OpType::ok, 1, "k");
  EXPECT_EQ(b.check("stale-values").valid, Verdict::valid);
  Builder failed;
  failed.call("overwrite", OpType::ok, 1, "k");
  failed.call("overwrite", OpType::fail, 2, "k");
  failed.call("read", OpType::ok, 2, "k");  // a failed write is visible
  EXPECT_EQ(failed.check("stale-values").details["keys"]["k"]["verdict"], "failed");
}

TEST(MigrationReport, CountsLossPerShardAndDuringDualWrite) {
  Builder b;
  b.call("add", OpType::ok, 0);
  b.phase("mig-1", "computing");
  b.phase("mig-1", "dual-write");
  for (int e = 1; e <= 10; ++e) b.call("add", OpType::ok, e);
  b.phase("mig-1", "cutover");
  b.call("add", OpType::ok, 11);
  b.call("add", OpType::info, 12);  // indeterminate: never lost
  b.call("migrations", OpType::ok, {{"done", true}, {"migrations", {{{"id", "mig-1"}, {"phase", "complete"}}}}});
  b.call("read", OpType::ok, {0, 1, 2, 3, 4, 5, 6, 7, 8, 11});  // 9 and 10 lost
  b.inspect(nlohmann::json::array(), nlohmann::json::object(), 16);
  auto r = b.check("migration");
  EXPECT_EQ(r.valid, Verdict::invalid);
  EXPECT_EQ(r.details["lost"], 2);
  EXPECT_EQ(r.details["acknowledged"], 12);
  EXPECT_EQ(r.details["acknowledged_during_dual_write"], 10);
  EXPECT_EQ(r.details["lost_during_dual_write"], 2);
  EXPECT_DOUBLE_EQ(r.details["lost_ratio_during_dual_write"].get<double>(), 0.2);
  const auto s9 = std::to_string(miroir::shard_for_key("9", 16));
  EXPECT_GE(r.details["per_shard"][s9]["lost"].get<int>(), 1);
  EXPECT_NE(r.summary.find("20.00 %"), std::string::npos) << r.summary;
}

TEST(MigrationReport, NothingLostIsValidAndARunningMigrationUnknown) {
  Builder b;
  b.phase("mig-1", "dual-write");
  b.call("add", OpType::ok, 1);
  b.call("migrations", OpType::ok, {{"done", true}, {"migrations", {{{"id", "mig-1"}, {"phase", "complete"}}}}});
  b.call("read", OpType::ok, {1});
  EXPECT_EQ(b.check("migration").valid, Verdict::valid);

  Builder running;
  running.phase("mig-1", "dual-write");
  running.call("add", OpType::ok, 1);
  running.call("migrations", OpType::info, {{"done", false}, {"migrations", {{{"id", "mig-1"}, {"phase", "draining"}}}}});
  running.call("read", OpType::ok, {1});
  auto r = running.check("migration");
  EXPECT_EQ(r.valid, Verdict::unknown);
  EXPECT_NE(r.summary.find("mig-1 draining"), std::string::npos) << r.summary;
}
