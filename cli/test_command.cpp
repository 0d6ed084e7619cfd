// eclat test: one chaos run, from validated input to verdict.
//   validate everything (exit 3, nothing created) -> enter the lab ->
//   run directory -> network, kernel probe, cluster -> main phase with the
//   nemesis -> stop and heal every fault -> quiescence -> final phase ->
//   teardown -> checkers -> results.json, summary, exit code.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <thread>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "checker/checker.hpp"
#include "cli/commands.hpp"
#include "cli/replay_plan.hpp"
#include "cli/progress.hpp"
#include "cli/run_liveness.hpp"
#include "cli/run_directory.hpp"
#include "cli/summary.hpp"
#include "cli/why_failed.hpp"
#include "cluster/lab.hpp"
#include "cluster/network.hpp"
#include "cluster/system.hpp"
#include "core/catalog.hpp"
#include "cluster/traffic_control.hpp"
#include "core/errors.hpp"
#include "core/invocation.hpp"
#include "core/json_output.hpp"
#include "core/run_clock.hpp"
#include "core/log.hpp"
#include "generator/clock.hpp"
#include "nemesis/fault.hpp"
#include "nemesis/heal_check.hpp"
#include "nemesis/fault_log.hpp"
#include "nemesis/scheduler.hpp"
#include "nemesis/triggers.hpp"
#include "workloads/runner.hpp"

namespace eclat {
namespace {

std::atomic<bool> g_interrupted{false};

std::atomic<int64_t> g_first_signal_ms{0};

int64_t monotonic_ms() {  // async-signal-safe
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// What a second signal leaves: results.json saying the run was interrupted,
// written from the handler (open/write only: async-signal-safe), prepared
// once the run directory exists.
char g_cut_results_path[4096];
char g_cut_results[8192];
char g_cut_summary[4352];
std::atomic<bool> g_cut_ready{false};

void prepare_cut_short(const std::filesystem::path& run_dir, uint64_t seed) {
  const nlohmann::json r = {
      {"valid", "unknown"},
      {"error", "interrupted twice: the second signal cut the graceful stop short (no heal check, final read "
                "or checks); the history on disk is partial, eclat check reads it"},
      {"checkers", nlohmann::json::object()},
      {"run", {{"seed", seed}, {"interrupted", true}, {"cut_short", true}}}};
  const std::string path = (std::filesystem::absolute(run_dir) / "results.json").string();
  const std::string text = r.dump(2) + "\n";
  const std::string summary = "  error: interrupted twice, the run was cut short\nvalid: unknown\nresults: " +
                              run_dir.string() + "\n";
  if (path.size() >= sizeof g_cut_results_path || text.size() >= sizeof g_cut_results ||
      summary.size() >= sizeof g_cut_summary)
    return;  // a path this long: the second signal leaves without results.json
  memcpy(g_cut_results_path, path.c_str(), path.size() + 1);
  memcpy(g_cut_results, text.c_str(), text.size() + 1);
  memcpy(g_cut_summary, summary.c_str(), summary.size() + 1);
  g_cut_ready.store(true);
}

void write_all(int fd, const char* p) {  // async-signal-safe
  size_t left = strlen(p);
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

// The first SIGINT/SIGTERM/SIGHUP ends the main phase early and still heals,
// tears down and checks (the verdict is then at best unknown). A second one
// more than a second later leaves at once with results.json saying so and
// exit 2, unknown (the lab dies with this process, so nothing is left behind
// either way); within a second it is the same signal delivered twice (to the
// whole process group and forwarded by the lab's outer parent).
void on_signal(int sig) {
  const int64_t now = monotonic_ms();
  int64_t expected = 0;
  if (g_first_signal_ms.compare_exchange_strong(expected, now)) {
    g_interrupted.store(true);
  } else if (now - expected > 1000) {
    if (g_cut_ready.load()) {
      int fd = open(g_cut_results_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd >= 0) {
        write_all(fd, g_cut_results);
        close(fd);
      }
      write_all(STDOUT_FILENO, g_cut_summary);
    }
    _exit(g_cut_ready.load() ? kExitUnknown : 128 + sig);
  }
}

constexpr NumberSetting kQuiesceTimeout{"quiesce-timeout", 60, 1, 86400,
                                        "seconds to wait for every node's task queue to drain after the heal"};
const bool registered = framework_settings("run", {&kQuiesceTimeout});

// The commands that run this again: the replay (same seed, the recorded
// faults at the same times) first, then the command as typed with its seed.
std::vector<std::string> reproduce_commands(const TestConfig& cfg, const std::filesystem::path& run_dir,
                                            const ReplayPlan* replay) {
  std::vector<std::string> out = {"eclat replay " + shell_quote({run_dir.string()}) +
                                  "   (same seed, the recorded faults at the same times)"};
  if (replay) return out;
  std::vector<std::string> words = command_line();
  if (!cfg.seed_given) {
    words.push_back("--seed");
    words.push_back(std::to_string(cfg.seed));
  }
  if (!words.empty()) out.push_back(shell_quote(words) + "   (same seed: the same operations and fault choices, at the times they fall)");
  return out;
}


}  // namespace

int test_command(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      printf("%s", test_usage().c_str());
      return kExitValid;
    }
  }
  return run_test(parse_test_args(args), nullptr);
}

int run_test(TestConfig cfg, const ReplayPlan* replay) {
  // 1. Everything the user gave is checked before anything exists.
  auto system = make_system(cfg);
  auto workload = make_workload(cfg);
  for (const auto& f : cfg.nemesis) make_fault(f)->validate(cfg, *system);
  try {
    TriggerSchedule::validate(cfg, *system);
  } catch (const BadInput& e) {  // name the file the triggers came from
    if (cfg.triggers_from.empty()) throw;
    throw BadInput(cfg.triggers_from + ": \"triggers\": " + e.what());
  }
  workload->validate(cfg, *system);
  std::vector<std::string> checkers = cfg.checkers.empty() ? workload->default_checkers() : cfg.checkers;
  for (const auto& c : checkers) make_checker(c);
  cfg.checkers = checkers;
  check_settings_used(cfg);
  // A schedule that cannot hold every fault asked for is said now, not
  // discovered in the history afterwards.
  const std::string fit = replay ? std::string() : NemesisScheduler::fit_warning(cfg.nemesis, cfg);
  if (!fit.empty()) fprintf(stderr, "eclat test: warning: %s\n", fit.c_str());

  // 2. Into the lab: from here on, nothing this run does can touch the host
  // network, and every process it starts dies with it.
  run_clock::start();  // the run's time base: history, logs, faults, markers
  const auto t0 = std::chrono::steady_clock::now();
  lab::enter();
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGHUP, on_signal);

  const auto run_dir = create_run_directory(cfg.results, cfg.name);
  set_run_marker(std::filesystem::absolute(run_dir).string());  // eclat cleanup knows the run's processes by it
  log::to_file((run_dir / "eclat.log").string());
  const RunLock live(run_dir);  // "running" to eclat serve until results.json is written
  nlohmann::json identity = run_identity();
  identity["settings"] = effective_settings(cfg);
  identity["epoch_utc"] = run_clock::utc(0);  // run second 0 as wall time
  {
    // scenario.json: what to run again (apply_scenario reads it back and
    // ignores "identity", which says how this run was made).
    nlohmann::json scenario = cfg.to_json();
    scenario["identity"] = identity;
    write_json_file(run_dir / "scenario.json", scenario);
  }
  prepare_cut_short(run_dir, cfg.seed);
  if (replay)
    write_json_file(run_dir / "replay.json", {{"replay_of", replay->of.string()}, {"faults", replay->faults.size()}});
  ECLAT_LOG(info, "eclat") << "run " << run_dir.string() << " seed " << cfg.seed
                           << (replay ? " replaying " + replay->of.string() : "");

  nlohmann::json results;
  try {
    Progress progress(cfg.time_limit, isatty(STDERR_FILENO), run_dir / "progress.json");
    HistoryWriter history(run_dir / "history.jsonl");
    history.set_observer([&progress](const Op& op) { progress.observe(op); });
    HistoryRecorder recorder(history, cfg.concurrency);
    Network net;
    TrafficControl tc(net);
    system->setup(net, run_dir);
    const double ready_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ECLAT_LOG(info, "eclat") << "cluster ready after " << ready_s << " s";

    workload->prepare(*system);
    std::mt19937_64 rng(cfg.seed);
    NemesisContext nctx{net, tc, *system, cfg, rng};
    // A fault the kernel cannot honour stops the run here, named.
    for (const auto& f : cfg.nemesis) make_fault(f)->prepare(nctx);
    const auto main_start = std::chrono::steady_clock::now();
    gen::SteadyClock clock(main_start);
    FaultLog fault_log(run_dir / "faults.jsonl", main_start);
    // A replay plays the recorded faults instead of the random schedule and
    // the triggers (the system's events are still watched and recorded).
    std::unique_ptr<NemesisScheduler> nemesis =
        replay ? std::make_unique<NemesisScheduler>(replay_schedule(*replay), replay_instance_settings(cfg, *replay),
                                                    nctx, history, &fault_log)
               : std::make_unique<NemesisScheduler>(cfg.nemesis, nctx, history, &fault_log);
    TriggerSchedule triggers(cfg, nctx, history, &fault_log, replay == nullptr);
    MainPhase phase{cfg.concurrency, cfg.rate, cfg.time_limit, cfg.seed};
    progress.set_phase("main");
    nemesis->start(clock);
    triggers.start();
    run_main_phase(phase, *workload, *system, recorder, g_interrupted, clock);
    triggers.stop();
    nemesis->stop();
    const double main_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - main_start).count();
    progress.set_phase("heal");
    nemesis->heal_all();
    triggers.heal_all();
    const nlohmann::json healed = record_nemesis_op(history, "check-healed", [&] { return check_healed(nctx); });
    progress.set_phase("quiesce");
    bool quiet = system->wait_quiescent(ms_of(kQuiesceTimeout, cfg));
    progress.set_phase("final");
    if (!g_interrupted.load()) workload->final_phase(*system, recorder);
    progress.set_phase("teardown");
    triggers.finish();
    system->teardown();
    progress.set_phase("check");
    ECLAT_LOG(info, "eclat") << "checking the history (" << cfg.checkers.size() << " checkers)";

    CheckContext ctx{HistorySource(run_dir / "history.jsonl"), cfg.to_json(), run_dir};
    results = run_checkers(cfg.checkers, ctx);
    int64_t ops = 0;
    for (const Op& op : ctx.history.ops())
      if (!op.is_nemesis() && op.type == OpType::invoke) ++ops;
    results["run"] = {{"seed", cfg.seed},
                      {"cluster_ready_s", ready_s},
                      {"main_phase_s", main_s},
                      {"client_operations", ops},
                      {"operations_per_s", main_s > 0 ? ops / main_s : 0},
                      {"quiescent", quiet},
                      {"healed", healed},
                      {"interrupted", g_interrupted.load()},
                      {"drop_mechanism", tc.capabilities().drop_mechanism},
                      {"total_s", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()}};
    if (replay) {
      // The replay's verdict is read beside the original's.
      results["run"]["replay_of"] = replay->of.string();
      try {
        std::ifstream in(replay->of / "results.json");
        nlohmann::json original = nlohmann::json::parse(in);
        if (original.contains("valid")) results["run"]["original_valid"] = original["valid"];
      } catch (const std::exception&) {
      }
    }
    results["run"]["name"] = cfg.name;
    results["run"]["identity"] = identity;
    results["run"]["kernel_capabilities"] = tc.capabilities().to_json();
    if (!fit.empty()) results["warnings"] = {fit};
    // Every fault asked for that never started, named: a schedule too
    // short, a trigger whose condition never came.
    if (!replay) {
      std::vector<std::string> asked = cfg.nemesis;
      for (const auto& t : cfg.triggers)
        if (t.is_object() && t.contains("fault") && t["fault"].is_string()) asked.push_back(t["fault"]);
      nlohmann::json never = nlohmann::json::array();
      for (const auto& f : asked) {
        bool started = false;
        for (const Op& op : ctx.history.ops())
          started = started || (op.is_nemesis() && op.type != OpType::invoke && op.f == "start-" + f && op.error.empty());
        if (!started && std::find(never.begin(), never.end(), f) == never.end()) never.push_back(f);
      }
      if (!never.empty()) results["faults_never_started"] = never;
    }

    if (!quiet && verdict_from_json(results["valid"]) == Verdict::valid) {
      // A cluster that never drained may still apply writes: not a pass.
      results["valid"] = "unknown";
      results["error"] = "the cluster did not become quiescent after healing";
    }
    if (!healed.value("healed", false) && verdict_from_json(results["valid"]) == Verdict::valid) {
      // The final read ran in a lab the faults still held: not a pass.
      results["valid"] = "unknown";
      results["error"] = "the lab was not fully healed: " + healed.dump();
    }
    if (g_interrupted.load()) {
      results["valid"] = verdict_json(worst(verdict_from_json(results["valid"]), Verdict::unknown));
      results["error"] = "interrupted by a signal: the main phase ended early and the final read was skipped";
    }
    // After every downgrade above, so that an unknown says why.
    if (verdict_from_json(results["valid"]) != Verdict::valid) {
      WhyInput why_in{results, ctx.history.ops(), run_dir, system.get(), reproduce_commands(cfg, run_dir, replay)};
      if (nlohmann::json why = why_failed(why_in); !why.is_null()) results["why"] = why;
    }
  } catch (const std::exception& e) {  // HarnessError, or anything unforeseen
    ECLAT_LOG(error, "eclat") << e.what();
    results = {{"valid", "unknown"}, {"error", e.what()}, {"checkers", nlohmann::json::object()}};
    write_json_file(run_dir / "results.json", results);
    print_summary(results, run_dir);
    return kExitHarness;
  }
  const Verdict got = verdict_from_json(results["valid"]);
  if (cfg.expected) {
    // --expected (or the scenario's "expected"): the exit code says whether
    // the verdict is the one expected, as a suite does for each scenario (a
    // positive control passes when it is invalid).
    results["expected"] = *cfg.expected;
    results["as_expected"] = *cfg.expected == verdict_word(got);
  }
  write_json_file(run_dir / "results.json", results);
  print_summary(results, run_dir);
  if (replay && results.contains("run") && results["run"].contains("original_valid"))
    printf("original run's verdict: %s (%s)\n",
           verdict_json(verdict_from_json(results["run"]["original_valid"])).dump().c_str(), replay->of.string().c_str());
  if (cfg.expected) {
    const bool as = results["as_expected"].get<bool>();
    printf("expected %s: %s\n", cfg.expected->c_str(), as ? "as expected (exit 0)" : "NOT as expected (exit 1)");
    fflush(stdout);
    return as ? kExitValid : kExitInvalid;
  }
  return exit_code(got);
}

}  // namespace eclat
