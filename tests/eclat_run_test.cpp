// End to end, with the real eclat binary: real lab, real miroir processes,
// real kills and partitions. What a newcomer would try first.
#include <gtest/gtest.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "eclat_run_util.hpp"

namespace fs = std::filesystem;
using namespace e2e;

namespace {

// Starts a long default run in the background (output discarded).
pid_t start_long_run(const fs::path& results) {
  pid_t pid = fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl(ECLAT_BINARY, ECLAT_BINARY, "test", "--time-limit", "120", "--results", results.c_str(), nullptr);
    _exit(127);
  }
  return pid;
}

// Until the run is well under way: nodes up, about 1500 operations recorded.
bool wait_until_busy(const fs::path& history) {
  for (int i = 0; i < 300; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::error_code ec;
    if (fs::exists(history, ec) && fs::file_size(history, ec) > 150000) return true;
  }
  return false;
}

// Every file under `dir` with its bytes: a re-check must leave them as they were.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    files[fs::relative(e.path(), dir).string()] = std::string(std::istreambuf_iterator<char>(in), {});
  }
  return files;
}

}  // namespace

TEST(EclatRun, MalformedInputExits3AndCreatesNothing) {
  auto dir = fresh_results_dir("bad");
  const std::string res = " --results " + dir.string();
  struct Case {
    std::string args, must_name;
  } cases[] = {
      {"test --time-limit soon" + res, "--time-limit"},
      {"test --nemesis kill,flood" + res, "flood"},
      {"test --workload bank" + res, "bank"},
      {"test --set rf=9" + res, "rf"},
      {"test --set shards=zero" + res, "shards"},
      {"test --bug eat-writes" + res, "eat-writes"},
      {"test --set anti-entropy=maybe" + res, "anti-entropy"},
      {"test --concurrency" + res, "--concurrency"},
      {"test --scenario /nonexistent.json" + res, "/nonexistent.json"},
      {"frobnicate", "frobnicate"},
      {"check /nonexistent/run", "/nonexistent/run"},
  };
  for (const auto& c : cases) {
    Result r = eclat(c.args);
    EXPECT_EQ(r.code, 3) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.must_name), std::string::npos) << c.args << "\n" << r.output;
  }
  EXPECT_TRUE(fs::is_empty(dir)) << "bad input left something in the results directory";

  auto scenario = dir / "bad-scenario.json";
  std::ofstream(scenario) << R"({"workload":"set","nemesis":["kill"],"nodes":"three"})";
  Result r = eclat("test --scenario " + scenario.string() + res);
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("nodes"), std::string::npos) << r.output;
  fs::remove(scenario);
  EXPECT_TRUE(fs::is_empty(dir));

  auto history = dir / "h.jsonl";
  std::ofstream(history) << "{\"type\":\"invoke\",\"process\":0,\"f\":\"add\",\"value\":1}\nnot json\n"
                            "{\"type\":\"ok\",\"process\":0,\"f\":\"add\",\"value\":1}\n";
  r = eclat("check " + history.string());
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find(":2:"), std::string::npos) << r.output;
  fs::remove_all(dir);
}

TEST(EclatRun, KillAndPartitionRunIsValid) {
  auto ifs = host_interfaces();
  auto ns = named_namespaces();
  auto dir = fresh_results_dir("valid");
  Result r = eclat("test --system miroir --workload set --nemesis kill,partition --time-limit 30 --seed 1 --results " +
                   dir.string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("valid: true"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("results: "), std::string::npos) << r.output;
  expect_nothing_left(ifs, ns);

  fs::path run = dir / "miroir-set" / "latest";
  ASSERT_TRUE(fs::exists(run / "history.jsonl"));
  auto results = read_json(run / "results.json");
  EXPECT_EQ(results["valid"], true);
  EXPECT_EQ(results["checkers"]["lost-writes"]["lost_count"], 0);
  EXPECT_GT(results["checkers"]["lost-writes"]["acknowledged"].get<int>(), 1000);

  auto ops = read_lines(run / "history.jsonl");
  int invokes = 0, kills = 0, partitions = 0, restarts = 0;
  for (const auto& op : ops) {
    if (op["process"] == "nemesis") {
      if (op["type"] == "info" && op["f"] == "start-kill" && !op["value"]["nodes"].empty()) ++kills;
      if (op["type"] == "info" && op["f"] == "start-partition" && op["value"].contains("isolated")) ++partitions;
      if (op["type"] == "info" && op["f"] == "stop-kill") ++restarts;
    } else if (op["type"] == "invoke") {
      ++invokes;
    }
  }
  EXPECT_GT(invokes, 2000) << "expected thousands of operations";
  EXPECT_GE(kills, 1);
  EXPECT_GE(partitions, 1);
  EXPECT_EQ(kills, restarts);
  for (const char* f : {"scenario.json", "results.json", "eclat.log", "nodes/n1/stderr.log", "cluster.json"})
    EXPECT_TRUE(fs::exists(run / f)) << f;

  // Re-checking the stored run gives the same verdict.
  Result again = eclat("check " + run.string());
  EXPECT_EQ(again.code, 0) << again.output;
  EXPECT_NE(again.output.find("valid: true"), std::string::npos) << again.output;
  fs::remove_all(dir);
}

TEST(EclatRun, AckBeforeDurableLosesWritesUnderKill) {
  auto ifs = host_interfaces();
  auto ns = named_namespaces();
  auto dir = fresh_results_dir("bug");
  Result r = eclat("test --nemesis kill --bug ack-before-durable --time-limit 25 --seed 2"
                   " --set nemesis-interval=3 --set nemesis-duration=2 --results " + dir.string());
  ASSERT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("valid: false"), std::string::npos) << r.output;
  const fs::path run = fs::canonical(dir / "miroir-set" / "latest");
  auto results = read_json(run / "results.json");
  EXPECT_EQ(results["checkers"]["lost-writes"]["valid"], false);
  EXPECT_GT(results["checkers"]["lost-writes"]["lost_count"].get<int>(), 0);
  expect_nothing_left(ifs, ns);

  // Why it failed: the lost writes by shard and owners, each set against
  // the kill around it, and the command that replays the run.
  EXPECT_NE(r.output.find("why it is invalid:"), std::string::npos) << r.output;
  const auto& why = results["why"];
  ASSERT_EQ(why["checkers"].size(), 1u) << why.dump(2);
  const auto& lost = why["checkers"][0];
  EXPECT_EQ(lost["checker"], "lost-writes");
  EXPECT_EQ(lost["lost_count"], results["checkers"]["lost-writes"]["lost_count"]);
  ASSERT_FALSE(lost["by_shard"].empty()) << lost.dump(2);
  int64_t grouped = 0;
  for (const auto& g : lost["by_shard"]) {
    EXPECT_FALSE(g["owners"].empty()) << g.dump();
    grouped += g["lost"].get<int64_t>();
  }
  EXPECT_EQ(grouped, static_cast<int64_t>(results["checkers"]["lost-writes"]["lost_detail"].size()));
  const auto& first = lost["first"][0];
  EXPECT_TRUE(first["acknowledged_s"].is_number()) << first.dump();
  EXPECT_NE(first["relation"].get<std::string>().find("kill n"), std::string::npos) << first.dump();
  EXPECT_EQ(why["reproduce"][0].get<std::string>().rfind("eclat replay " + run.string(), 0), 0u) << why.dump(2);
  EXPECT_NE(r.output.find("reproduce: eclat replay"), std::string::npos) << r.output;

  // One time base: the first kill at the same run second in the history,
  // the fault log and the killed node's own log (the harness's marker).
  double history_s = -1, faults_s = -1, marker_s = -1;
  std::string victim;
  {
    std::ifstream h(run / "history.jsonl");
    for (std::string line; std::getline(h, line) && history_s < 0;) {
      auto op = nlohmann::json::parse(line);
      if (op["f"] == "start-kill" && op["type"] == "invoke") history_s = op["time"].get<double>() / 1e9;
    }
    std::ifstream f(run / "faults.jsonl");
    for (std::string line; std::getline(f, line) && faults_s < 0;) {
      auto rec = nlohmann::json::parse(line);
      if (rec["f"] != "start-kill") continue;
      faults_s = rec["run_s"].get<double>();
      victim = rec["value"]["nodes"][0];
      EXPECT_TRUE(rec["utc"].is_string());
    }
    std::ifstream n(run / "nodes" / victim / "stderr.log");
    for (std::string line; std::getline(n, line) && marker_s < 0;)
      if (line.rfind("=== eclat: run ", 0) == 0 && line.find("SIGKILL") != std::string::npos)
        marker_s = std::stod(line.substr(15));
  }
  ASSERT_GE(history_s, 0);
  ASSERT_GE(faults_s, 0) << victim;
  ASSERT_GE(marker_s, 0) << victim;
  EXPECT_NEAR(faults_s, history_s, 0.05);
  EXPECT_NEAR(marker_s, history_s, 0.05);
  Result log = eclat("log " + run.string() + " --node " + victim + " --around " + std::to_string(history_s) +
                     " --window 0.2");
  EXPECT_EQ(log.code, 0) << log.output;
  EXPECT_NE(log.output.find("SIGKILL to pid"), std::string::npos) << log.output;
  EXPECT_NE(log.output.find("fault  | start-kill"), std::string::npos) << log.output;

  // A re-check without --out writes nothing: the run directory stays byte
  // for byte as the run left it, and no results: line claims a directory.
  const auto before = snapshot(run);
  Result again = eclat("check " + run.string());
  EXPECT_EQ(again.code, 1) << again.output;
  EXPECT_NE(again.output.find("why it is invalid:"), std::string::npos) << again.output;
  EXPECT_EQ(again.output.find("results: "), std::string::npos) << again.output;
  EXPECT_TRUE(snapshot(run) == before) << "eclat check changed the run directory";
  // With --out, into a folder that does not exist yet: created, and every
  // file the summary names is there.
  const fs::path out = dir / "recheck" / "nested";
  again = eclat("check " + run.string() + " --out=" + out.string());
  EXPECT_EQ(again.code, 1) << again.output;
  EXPECT_NE(again.output.find("results: " + out.string()), std::string::npos) << again.output;
  EXPECT_TRUE(fs::exists(out / "results.json"));
  EXPECT_TRUE(fs::exists(out / "timeline.html"));
  EXPECT_EQ(read_json(out / "results.json")["why"]["checkers"][0]["checker"], "lost-writes");
  EXPECT_TRUE(snapshot(run) == before);
  fs::remove_all(dir);
}

// A positive control run as a CI gate would: --expected invalid exits 0
// when the run is invalid. The linearizability evidence is a counterexample
// of a few operations, each with its outcome in the history and its times.
// Two faults in a time limit that holds one cycle: warned before the run,
// and the one that never started is named after it.
TEST(EclatRun, APositiveControlSaysWhyAndMeetsItsExpectation) {
  auto dir = fresh_results_dir("why");
  Result r = eclat("test --workload register --bug get-by-id-shard0 --nemesis kill,partition --time-limit 8"
                   " --seed 7 --expected=invalid --results " + dir.string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("valid: false"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("expected invalid: as expected"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("warning: 2 faults requested but only 1 fault cycle fits in --time-limit 8"),
            std::string::npos) << r.output;
  const fs::path run = fs::canonical(dir / "miroir-register" / "latest");
  auto results = read_json(run / "results.json");
  EXPECT_EQ(results["valid"], false);
  EXPECT_EQ(results["as_expected"], true);
  ASSERT_EQ(results["faults_never_started"].size(), 1u) << results.dump(2);
  const std::string never = results["faults_never_started"][0];
  EXPECT_TRUE(never == "kill" || never == "partition") << never;
  EXPECT_NE(r.output.find("requested but never started: " + never), std::string::npos) << r.output;

  // Run identity: how it was made, in results.json and scenario.json.
  const auto& id = results["run"]["identity"];
  EXPECT_NE(id["command_line"].get<std::string>().find("--bug get-by-id-shard0"), std::string::npos) << id.dump();
  EXPECT_FALSE(id["commit"].get<std::string>().empty());
  EXPECT_EQ(id["settings"]["nemesis-interval"], "5 (default)") << id.dump(2);
  EXPECT_TRUE(results["run"]["kernel_capabilities"].contains("drop_mechanism"));
  EXPECT_EQ(read_json(run / "scenario.json")["identity"]["commit"], id["commit"]);

  // The counterexample, as the block shows it.
  const nlohmann::json* lin = nullptr;
  for (const auto& c : results["why"]["checkers"])
    if (c["checker"] == "linearizable") lin = &c;
  ASSERT_NE(lin, nullptr) << results["why"].dump(2);
  const auto& ops = (*lin)["counterexample"]["operations"];
  ASSERT_GE(ops.size(), 1u);
  EXPECT_LE(ops.size(), 3u) << ops.dump(2);
  for (const auto& op : ops) {
    EXPECT_TRUE(op["history_outcome"] == "ok" || op["history_outcome"] == "info") << op.dump();
    EXPECT_EQ(op["outcome"], op["history_outcome"]) << op.dump();
    EXPECT_TRUE(op["invoked_ms"].is_number()) << op.dump();
    if (op["history_outcome"] == "ok") EXPECT_GE(op["returned_ms"].get<double>(), op["invoked_ms"].get<double>());
  }
  EXPECT_TRUE(fs::exists((*lin)["drawings"][0].get<std::string>()));
  EXPECT_NE(r.output.find("counterexample in key "), std::string::npos) << r.output;
  fs::remove_all(dir);
}

TEST(EclatRun, KilledMidRunLeavesNothingAndAReadableHistory) {
  auto ifs = host_interfaces();
  auto ns = named_namespaces();
  auto dir = fresh_results_dir("sigkill");
  pid_t pid = start_long_run(dir);
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(wait_until_busy(dir / "miroir-set" / "latest" / "history.jsonl")) << "the run never got going";
  EXPECT_FALSE(miroir_processes().empty());
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  expect_nothing_left(ifs, ns);

  Result r = eclat("check " + (dir / "miroir-set" / "latest").string());
  EXPECT_TRUE(r.code == 0 || r.code == 1 || r.code == 2) << r.output;
  EXPECT_NE(r.output.find("valid: "), std::string::npos) << r.output;
  fs::remove_all(dir);
}

TEST(EclatCleanup, SaysWhatItFoundAndRemovesOnlyWhatARunLeft) {
  // Leftovers as an older crashed version could have made them on the host:
  // a lab interface, and node processes outside any lab, both miroir's: one
  // with the mark every run puts on its node processes (ECLAT_RUN), one of
  // the same name that no run started. Only the marked one is killed.
  auto dir = fresh_results_dir("cleanup");
  fs::copy_file("/bin/sleep", dir / "miroir-node");
  fs::copy_file("/bin/sleep", dir / "miroir-orchestrator");
  const pid_t marked = spawn({(dir / "miroir-node").string(), "1000"}, {"ECLAT_RUN=" + (dir / "run").string()});
  const pid_t unmarked = spawn({(dir / "miroir-orchestrator").string(), "1000"});
  ASSERT_GT(marked, 0);
  ASSERT_GT(unmarked, 0);
  ASSERT_EQ(std::system("ip link add vh-left0 type veth peer name vh-left1"), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));

  // --dry-run names everything and removes nothing.
  Result r = eclat("cleanup --dry-run");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("found process " + std::to_string(marked) + " (miroir-node of run " + (dir / "run").string()),
            std::string::npos) << r.output;
  EXPECT_NE(r.output.find("would kill it"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("found interface vh-left"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("left alone: process " + std::to_string(unmarked)), std::string::npos) << r.output;
  EXPECT_TRUE(alive(marked));
  EXPECT_TRUE(fs::exists("/sys/class/net/vh-left0"));

  r = eclat("cleanup");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("found process " + std::to_string(marked)), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("left alone: process " + std::to_string(unmarked)), std::string::npos) << r.output;
  int status = 0;
  EXPECT_EQ(waitpid(marked, &status, 0), marked);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_TRUE(alive(unmarked)) << "cleanup killed a process no run started";
  EXPECT_FALSE(fs::exists("/sys/class/net/vh-left0"));
  EXPECT_FALSE(fs::exists("/sys/class/net/vh-left1"));

  r = eclat("cleanup");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("nothing found"), std::string::npos) << r.output;
  EXPECT_EQ(eclat("cleanup --force").code, 3);
  ::kill(unmarked, SIGKILL);
  waitpid(unmarked, &status, 0);
  fs::remove_all(dir);
}

TEST(EclatRun, ANodeThatNeverComesUpIsAHarnessFailureNamingIt) {
  // A storage node binary that starts but never serves: the run must stop
  // with exit 4, name the node and show the end of its log.
  auto ifs = host_interfaces();
  auto ns = named_namespaces();
  auto dir = fresh_results_dir("notready");
  auto bin = dir / "bin";
  fs::create_directories(bin);
  fs::copy_file(fs::path(ECLAT_BINARY).parent_path() / "miroir-orchestrator", bin / "miroir-orchestrator");
  std::ofstream(bin / "miroir-node") << "#!/bin/sh\necho \"fake node $2: disk on fire\" >&2\nexec sleep 1000\n";
  fs::permissions(bin / "miroir-node", fs::perms::owner_all);
  Result run = eclat("test --time-limit 5 --set ready-timeout=2 --results " + dir.string(),
                     "ECLAT_BIN_DIR=" + bin.string());
  EXPECT_EQ(run.code, 4) << run.output;
  EXPECT_NE(run.output.find("node n1"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("did not become ready"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("fake node n1: disk on fire"), std::string::npos) << run.output;
  auto results = read_json(dir / "miroir-set" / "latest" / "results.json");
  EXPECT_EQ(results["valid"], "unknown");
  EXPECT_NE(results["error"].get<std::string>().find("n1"), std::string::npos);
  expect_nothing_left(ifs, ns);
  fs::remove_all(dir);
}

TEST(EclatRun, SigtermEndsTheRunGracefullyAsUnknown) {
  auto ifs = host_interfaces();
  auto ns = named_namespaces();
  auto dir = fresh_results_dir("sigterm");
  pid_t pid = start_long_run(dir);
  ASSERT_GT(pid, 0);
  fs::path run = dir / "miroir-set" / "latest";
  ASSERT_TRUE(wait_until_busy(run / "history.jsonl")) << "the run never got going";
  kill(pid, SIGTERM);  // as a CI runner's timeout would
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2) << "an interrupted run proves nothing: unknown";
  auto results = read_json(run / "results.json");
  EXPECT_EQ(results["valid"], "unknown");
  EXPECT_EQ(results["run"]["interrupted"], true);
  expect_nothing_left(ifs, ns);
  fs::remove_all(dir);
}
