// etcd (Debian's etcd-server 3.4) as the system under test, through the real
// eclat binary and real etcd processes: the register workload with
// linearizable reads stays linearizable under kills and partitions (of the
// leader too); serializable reads are caught stale, as etcd documents; the
// set loses no acknowledged write; a history exported to EDN is re-checked
// with the same verdict; bad input is refused before anything starts.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "eclat_run_util.hpp"

using namespace e2e;

namespace {

// etcd processes whose command line names `dir` (the run's data
// directories are under it): installing etcd-server may also have started a
// system etcd, which is none of the run's business.
std::vector<int> etcd_processes(const fs::path& dir) {
  std::vector<int> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::string pid = e.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream comm(e.path() / "comm");
    std::string name;
    std::getline(comm, name);
    if (name != "etcd") continue;
    std::ifstream in(e.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(dir.string()) != std::string::npos) out.push_back(std::stoi(pid));
  }
  return out;
}

void expect_no_etcd_left(const fs::path& dir) {
  for (int i = 0; i < 50 && !etcd_processes(dir).empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(etcd_processes(dir).empty()) << "etcd processes outlived the run";
}

// Per fault name, how many starts hit a target.
std::map<std::string, int> faults_started(const fs::path& history) {
  std::map<std::string, int> n;
  for (const auto& op : read_lines(history)) {
    if (op["process"] != "nemesis" || op["type"] != "info") continue;
    const std::string f = op["f"];
    if (f.rfind("start-", 0) != 0) continue;
    const auto& v = op["value"];
    bool hit = (v.contains("nodes") && !v["nodes"].empty()) || v.contains("isolated");
    if (hit) ++n[f.substr(6)];
  }
  return n;
}

// `eclat export` writes the run's history as EDN; `eclat check` of that file
// must give the run's own verdict (exit code).
void expect_edn_round_trip(const fs::path& run, int expected_code) {
  Result ex = eclat("export " + run.string());
  ASSERT_EQ(ex.code, 0) << ex.output;
  ASSERT_TRUE(fs::exists(run / "history.edn"));
  const fs::path out = run / "edn-check";
  fs::create_directories(out);
  Result check = eclat("check " + (run / "history.edn").string() + " --format edn --out " + out.string());
  EXPECT_EQ(check.code, expected_code) << check.output;
}

}  // namespace

// Linearizable reads (etcd's default): every key's history is linearizable
// although members are killed and isolated, leaders included. Issue 8's
// acceptance: three runs of 60 s, valid every time.
class EtcdRegister : public ::testing::TestWithParam<int> {};

TEST_P(EtcdRegister, LinearizableReadsStayLinearizableUnderKillsAndPartitions) {
  auto dir = fresh_results_dir("etcd-register-" + std::to_string(GetParam()));
  Result r = eclat("test --system etcd --workload register --nemesis kill,partition,kill-primary,partition-primary"
                   " --set nemesis-interval=2 --set nemesis-duration=4 --time-limit 60 --seed " +
                   std::to_string(GetParam()) + " --results " + dir.string());
  ASSERT_EQ(r.code, 0) << r.output;
  const fs::path run = dir / "etcd-register" / "latest";
  auto lin = read_json(run / "results.json")["checkers"]["linearizable"];
  EXPECT_EQ(lin["valid"], true) << lin.dump(2);
  std::map<std::string, int> ok;
  int lost_compares = 0;
  for (const auto& op : read_lines(run / "history.jsonl")) {
    if (op["process"] == "nemesis" || op["type"] != "ok") continue;
    if (op["f"] == "cas" && op["value"] == false) ++lost_compares;  // ran, found another value
    else ++ok[op["f"]];
  }
  EXPECT_GT(ok["read"], 1000);
  EXPECT_GT(ok["write"], 300);
  EXPECT_GT(ok["cas"], 50);
  EXPECT_GT(lost_compares, 50);
  auto faults = faults_started(run / "history.jsonl");
  for (const char* f : {"kill", "partition", "kill-primary", "partition-primary"}) EXPECT_GE(faults[f], 1) << f;
  for (const char* n : {"nodes/n1/stderr.log", "nodes/n3/data"}) EXPECT_TRUE(fs::exists(run / n)) << n;
  expect_edn_round_trip(run, 0);
  expect_no_etcd_left(dir);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(ThreeRuns, EtcdRegister, ::testing::Values(11, 12, 13));

// Serializable reads are served by the member alone: a follower lagging
// behind, or a leader cut off from the others, answers old values. The
// checker must find such a stale read and show it.
TEST(EtcdRegister, SerializableReadsAreCaughtStaleUnderPartitionPrimary) {
  auto dir = fresh_results_dir("etcd-stale");
  Result r = eclat("test --system etcd --workload register --nemesis partition-primary --set read-mode=serializable"
                   " --set keys=3 --set read-fraction=0.7 --set nemesis-interval=2 --set nemesis-duration=8"
                   " --time-limit 20 --seed 12 --results " + dir.string());
  ASSERT_EQ(r.code, 1) << r.output;
  const fs::path run = dir / "etcd-register" / "latest";
  auto lin = read_json(run / "results.json")["checkers"]["linearizable"];
  EXPECT_EQ(lin["valid"], false) << lin.dump(2);
  const std::string text = lin.value("counterexample_text", "");
  // The operation that cannot be placed is a read of an older value:
  // "cannot place #1 ([15] read -> nil): it read nil but the register held 3".
  EXPECT_NE(text.find("read -> "), std::string::npos) << text;
  EXPECT_NE(text.find("): it read "), std::string::npos) << text;
  EXPECT_NE(text.find(" but the register held "), std::string::npos) << text;
  EXPECT_GE(faults_started(run / "history.jsonl")["partition-primary"], 1);
  expect_edn_round_trip(run, 1);
  expect_no_etcd_left(dir);
  fs::remove_all(dir);
}

// The set: every acknowledged add is in the final read; no add that failed
// (a definite error) is present.
TEST(EtcdSet, LosesNoAcknowledgedWriteUnderKillsAndPartitions) {
  auto dir = fresh_results_dir("etcd-set");
  Result r = eclat("test --system etcd --workload set --nemesis kill,partition,kill-primary"
                   " --set nemesis-interval=2 --set nemesis-duration=3 --time-limit 25 --seed 13 --results " +
                   dir.string());
  ASSERT_EQ(r.code, 0) << r.output;
  const fs::path run = dir / "etcd-set" / "latest";
  auto lost = read_json(run / "results.json")["checkers"]["lost-writes"];
  EXPECT_EQ(lost["lost_count"], 0) << lost.dump(2);
  EXPECT_GT(lost["acknowledged"].get<int>(), 3000);
  auto faults = faults_started(run / "history.jsonl");
  for (const char* f : {"kill", "partition", "kill-primary"}) EXPECT_GE(faults[f], 1) << f;
  expect_no_etcd_left(dir);
  fs::remove_all(dir);
}

// Refused before the lab exists (exit 3), naming the problem.
TEST(EtcdBadInput, IsRefusedNamingTheProblem) {
  struct Case {
    std::string args, env, says;
  };
  for (const Case& c : std::vector<Case>{
           {"--system etcd --bug ack-before-durable", "", "bug switch"},
           {"--system etcd --set read-mode=stale", "", "read-mode"},
           {"--system etcd", "PATH=/nonexistent", "etcd-server"},
           {"--system miroir --nemesis partition-primary", "", "partition-primary"},
           {"--system miroir --nemesis kill-primary", "", "kill-primary"},
           {"--system miroir --workload register --set cas=true", "", "cas"},
       }) {
    Result r = eclat("test " + c.args + " --time-limit 1", c.env);
    EXPECT_EQ(r.code, 3) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.says), std::string::npos) << c.args << "\n" << r.output;
  }
}
