// The harness tested like the systems it tests: `eclat test` SIGKILLed at a
// random moment of each phase (startup, main phase, final phase, checks),
// for each system, then nothing of the run may be left on the host (no
// process carrying its mark, namespace, interface, nft rule or mount), and
// `eclat check` must read what it left with a verdict of at best unknown
// (valid only when the run had finished and said so itself). Also a second
// polite signal: the graceful stop is cut short but results.json still says
// the run was interrupted.
//
// CI runs a few trials; by hand, more and reproducibly:
//   ECLAT_CHAOS_TRIALS=50 ECLAT_CHAOS_SEED=7 build/eclat_chaos_tests
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "eclat_run_util.hpp"

using namespace e2e;

namespace {

struct SystemRun {
  std::string system, workload;
  double ready_s;  // about how long its cluster takes to come up here
};
const SystemRun kSystems[] = {{"miroir", "set", 0.5}, {"etcd", "register", 3}};
const char* const kPhases[] = {"startup", "main", "final", "check"};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string command_output(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

// Host processes whose environment carries this run's mark (ECLAT_RUN=<dir>).
std::vector<int> marked_processes(const std::string& results) {
  std::vector<int> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string pid = e.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string env = slurp(e.path() / "environ");
    if (env.find("ECLAT_RUN=" + results) != std::string::npos) out.push_back(std::stoi(pid));
  }
  return out;
}

struct HostState {
  std::set<std::string> interfaces = host_interfaces(), namespaces = named_namespaces();
  std::string mounts = slurp("/proc/self/mounts");
  std::string rules = command_output("nft list ruleset 2>/dev/null");
};

void expect_host_unchanged(const HostState& before, const std::string& results, const std::string& trial) {
  std::vector<int> left;
  for (int i = 0; i < 50; ++i) {  // the lab's processes die with its PID 1: give the kernel a moment
    left = marked_processes(results);
    if (left.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(left.empty()) << trial << ": " << left.size() << " processes of the run outlived it";
  EXPECT_EQ(host_interfaces(), before.interfaces) << trial << ": interfaces left on the host";
  EXPECT_EQ(named_namespaces(), before.namespaces) << trial << ": network namespaces left on the host";
  EXPECT_EQ(slurp("/proc/self/mounts"), before.mounts) << trial << ": mounts left on the host";
  EXPECT_EQ(command_output("nft list ruleset 2>/dev/null"), before.rules) << trial << ": nft rules left on the host";
}

pid_t start_run(const SystemRun& s, const fs::path& results, double time_limit,
                std::vector<std::string> more = {}) {
  std::vector<std::string> argv{ECLAT_BINARY, "test", "--system", s.system, "--workload", s.workload, "--time-limit",
                                std::to_string(time_limit), "--results", results.string()};
  argv.insert(argv.end(), more.begin(), more.end());
  return spawn(argv);
}

// The newest run directory under results (the run makes one per start).
fs::path run_dir_of(const fs::path& results) {
  std::error_code ec;
  for (const auto& test : fs::directory_iterator(results, ec)) {
    const fs::path latest = test.path() / "latest";
    if (fs::exists(latest, ec)) return fs::canonical(latest, ec);
  }
  return {};
}

// Waits until the run's log holds `marker` (or the run ended); true if seen.
bool wait_for_log(pid_t pid, const fs::path& results, const std::string& marker, double timeout_s) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < end && alive(pid)) {
    const fs::path run = run_dir_of(results);
    if (!run.empty() && slurp(run / "eclat.log").find(marker) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

uint64_t chaos_seed() {
  const char* s = getenv("ECLAT_CHAOS_SEED");
  return s ? std::strtoull(s, nullptr, 10) : std::random_device{}();
}

int chaos_trials() {
  const char* s = getenv("ECLAT_CHAOS_TRIALS");
  return s ? std::max(1, atoi(s)) : 4;
}

}  // namespace

TEST(HarnessChaos, SigkillAtAnyMomentLeavesNothingAndAReadableHistory) {
  const uint64_t seed = chaos_seed();
  std::mt19937_64 rng(seed);
  const int trials = chaos_trials();
  std::printf("chaos seed %llu, %d trials (ECLAT_CHAOS_SEED=%llu ECLAT_CHAOS_TRIALS=%d to repeat)\n",
              static_cast<unsigned long long>(seed), trials, static_cast<unsigned long long>(seed), trials);
  const size_t phase0 = rng() % 4;
  for (int i = 0; i < trials; ++i) {
    // Every phase and every system come round in turn; the moment within
    // the phase is random.
    const SystemRun& s = kSystems[i % 2];
    const std::string phase = kPhases[(phase0 + static_cast<size_t>(i / 2) + static_cast<size_t>(i % 2) * 2) % 4];
    const double time_limit = 3;
    HostState before;
    const fs::path results = fresh_results_dir("chaos-" + std::to_string(i));
    pid_t pid = start_run(s, results, time_limit);
    ASSERT_GT(pid, 0);
    double delay = 0;
    std::string marker;
    if (phase == "startup") {
      delay = std::uniform_real_distribution<double>(0, s.ready_s)(rng);
    } else {
      marker = phase == "main" ? "cluster ready" : phase == "final" ? "main phase over" : "checking the history";
      const bool seen = wait_for_log(pid, results, marker, 60);
      EXPECT_TRUE(seen) << s.system << ": the run never logged \"" << marker << "\"";
      const double window = phase == "main" ? time_limit : phase == "final" ? 0.3 : 0.05;
      delay = std::uniform_real_distribution<double>(0, window)(rng);
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(delay));
    const bool was_running = alive(pid);
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    char what[200];
    std::snprintf(what, sizeof what, "trial %d: %s, SIGKILL %.3f s into %s%s", i, s.system.c_str(), delay,
                  phase.c_str(), was_running ? "" : " (the run had ended already)");
    expect_host_unchanged(before, results.string(), what);

    const fs::path run = run_dir_of(results);
    std::string verdict = "no run directory yet";
    if (!run.empty() && fs::exists(run / "history.jsonl")) {
      Result r = eclat("check " + run.string());
      verdict = "check exit " + std::to_string(r.code);
      const bool finished = fs::exists(run / "results.json");
      if (finished) {
        // The run wrote its own verdict before it died: the re-check agrees.
        const auto j = read_json(run / "results.json");
        const int code = j["valid"] == true ? 0 : j["valid"] == false ? 1 : 2;
        EXPECT_EQ(r.code, code) << what << ": " << r.output;
      } else {
        EXPECT_EQ(r.code, 2) << what << ": a killed run's history is at best unknown: " << r.output;
        EXPECT_NE(r.output.find("never finished"), std::string::npos) << what << ": " << r.output;
      }
    }
    std::printf("%s: %s\n", what, verdict.c_str());
    fs::remove_all(results);
  }
}

TEST(HarnessChaos, ASecondSignalCutsTheStopShortAndStillSaysInterrupted) {
  HostState before;
  const fs::path results = fresh_results_dir("chaos-twice");
  // Every etcd member paused from 0.5 s on: its clients talk to the members
  // themselves, so the graceful stop waits out the operations in flight
  // (op-timeout, 5 s) and the second signal lands in it. Not miroir: its
  // orchestrator is not paused and fails a write to paused nodes within a
  // second, so the stop could end before the second signal.
  pid_t pid = start_run(kSystems[1], results, 60,
                        {"--nemesis", "pause", "--set", "targets=all", "--set", "nemesis-interval=0.5", "--set",
                         "nemesis-duration=30"});
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(wait_for_log(pid, results, "start-pause", 60));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  kill(pid, SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // a second apart: not one signal seen twice
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 2);
  expect_host_unchanged(before, results.string(), "two SIGTERMs");
  const fs::path run = run_dir_of(results);
  ASSERT_TRUE(fs::exists(run / "results.json"));
  const auto j = read_json(run / "results.json");
  EXPECT_EQ(j["valid"], "unknown");
  EXPECT_EQ(j["run"]["interrupted"], true);
  EXPECT_EQ(j["run"].value("cut_short", false), true) << "the second signal came after the graceful stop had ended";
  Result r = eclat("check " + run.string());
  EXPECT_EQ(r.code, 2) << r.output;
  fs::remove_all(results);
}
