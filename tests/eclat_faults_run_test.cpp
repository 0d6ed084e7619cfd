// Issue 6, acceptance 2: a 60 s chaos run on miroir with a majorities ring,
// kills, pauses, packet delay and clock skew. Every fault shows start/stop
// pairs in the history, the lab ends fully healed (checked by the run
// itself with real connects, process states and the nodes' clocks, and
// looked at again here), and the set stays valid.
#include <map>

#include "eclat_run_util.hpp"

namespace {

using namespace e2e;

TEST(FaultsRun, SixtySecondsOfEveryKindEndHealedAndValid) {
  const fs::path results = fresh_results_dir("faults-run");
  const std::vector<std::string> faults = {"partition-majorities-ring", "kill", "pause", "delay", "clock-skew"};
  std::string list;
  for (const auto& f : faults) list += (list.empty() ? "" : ",") + f;
  Result r = eclat("test --nodes 5 --time-limit 60 --seed 11 --nemesis " + list +
                   " --set nemesis-interval=3 --set nemesis-duration=5 --set clock-targets=all"
                   " --results " + results.string());
  ASSERT_EQ(r.code, 0) << r.output;
  const fs::path run = fs::canonical(results / "miroir-set" / "latest");

  std::map<std::string, int> starts, stops;
  nlohmann::json healed;
  for (const auto& op : read_lines(run / "history.jsonl")) {
    if (op["process"] != "nemesis" || op["type"] != "info") continue;
    const std::string f = op["f"];
    for (const auto& fault : faults) {
      if (f == "start-" + fault) ++starts[fault];
      if (f == "stop-" + fault) ++stops[fault];
    }
    if (f == "check-healed") healed = op["value"];
  }
  for (const auto& fault : faults) {
    EXPECT_GE(starts[fault], 1) << fault << " never started";
    EXPECT_EQ(starts[fault], stops[fault]) << fault << ": every start has its stop";
  }
  ASSERT_TRUE(healed.is_object()) << "no check-healed operation";
  EXPECT_TRUE(healed["healed"].get<bool>()) << healed.dump();
  EXPECT_TRUE(healed["broken_links"].empty());
  EXPECT_TRUE(healed["paused"].empty());
  EXPECT_EQ(healed["clock_offsets_ms"].size(), 5u) << "every node's clock was read back";

  const auto res = read_json(run / "results.json");
  EXPECT_EQ(res["valid"], true) << res.dump(2);
  EXPECT_EQ(res["run"]["healed"]["healed"], true);
  fs::remove_all(results);
}

}  // namespace
