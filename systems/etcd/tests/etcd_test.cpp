// etcd (Debian's etcd-server 3.4) as the system under test, through the real
// eclat binary and real etcd processes: the register workload with
// linearizable reads stays linearizable under kills and partitions (of the
// leader too); serializable reads are caught stale, as etcd documents; the
// set loses no acknowledged write; a history exported to EDN is re-checked
// with the same verdict; bad input is refused before anything starts.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "tests/eclat_run_util.hpp"

using namespace e2e;

namespace {

// etcd processes whose command line names `dir` (the run's data
// directories are under it): installing etcd-server may also have started a
// system etcd, which is none of the run's business.
std::vector<int> etcd_processes(const fs::path& dir) {
  return processes([&](const std::string& name, const std::string& cmdline) {
    return name == "etcd" && cmdline.find(dir.string()) != std::string::npos;
  });
}

void expect_no_etcd_left(const fs::path& dir) {
  for (int i = 0; i < 50 && !etcd_processes(dir).empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(etcd_processes(dir).empty()) << "etcd processes outlived the run";
}

bool connects_to_loopback(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
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

// A leftover etcd member, as a run whose lab did not take it down would leave
// it: a real etcd serving on loopback, with the mark every run puts on its
// node processes (ECLAT_RUN). eclat cleanup finds it through the etcd pack's
// process names, kills it and names its run; a process called etcd that no
// run started is left alone and named; --dry-run removes nothing.
TEST(EtcdCleanup, RemovesALeftoverMemberAndLeavesAnUnmarkedEtcdAlone) {
  auto dir = fresh_results_dir("etcd-cleanup");
  const std::string etcd = fs::exists("/usr/bin/etcd") ? "/usr/bin/etcd" : "/usr/local/bin/etcd";
  ASSERT_TRUE(fs::exists(etcd)) << "etcd-server is not installed (setup.sh installs it)";
  const std::string client = "http://127.0.0.1:23791", peer = "http://127.0.0.1:23801";
  const pid_t member = spawn({etcd, "--name", "left", "--data-dir", (dir / "data").string(), "--listen-client-urls",
                              client, "--advertise-client-urls", client, "--listen-peer-urls", peer,
                              "--initial-advertise-peer-urls", peer, "--initial-cluster", "left=" + peer},
                             {"ECLAT_RUN=" + (dir / "run").string()});
  fs::copy_file("/bin/sleep", dir / "etcd");
  const pid_t unmarked = spawn({(dir / "etcd").string(), "1000"});
  ASSERT_GT(member, 0);
  ASSERT_GT(unmarked, 0);
  // A real member: it serves its client port.
  bool serving = false;
  for (int i = 0; i < 100 && !serving; ++i) {
    serving = connects_to_loopback(23791);
    if (!serving) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(serving && alive(member)) << "the leftover etcd member did not start";

  Result dry = eclat("cleanup --dry-run");
  EXPECT_EQ(dry.code, 0) << dry.output;
  EXPECT_NE(dry.output.find("found process " + std::to_string(member) + " (etcd of run " + (dir / "run").string()),
            std::string::npos) << dry.output;
  EXPECT_NE(dry.output.find("left alone: process " + std::to_string(unmarked) + " (etcd)"), std::string::npos)
      << dry.output;
  EXPECT_TRUE(alive(member));

  Result r = eclat("cleanup");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("found process " + std::to_string(member)), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("killing it"), std::string::npos) << r.output;
  int status = 0;
  EXPECT_EQ(waitpid(member, &status, 0), member);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_TRUE(alive(unmarked)) << "cleanup killed an etcd no run started";
  ::kill(unmarked, SIGKILL);
  waitpid(unmarked, &status, 0);
  fs::remove_all(dir);
}
