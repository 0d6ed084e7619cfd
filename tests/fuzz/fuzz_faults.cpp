// libFuzzer target for a run's fault log as `eclat replay RUN_DIR` reads it:
// the input is RUN_DIR/faults.jsonl (nemesis/fault_log.cpp read_fault_log),
// beside a fixed, valid RUN_DIR/scenario.json with two triggers, in a
// directory made once (removed at exit); load_replay_plan reads both and
// checks every record's fault and source, then the replay's schedule and
// its triggers' settings are made from the plan (replay_schedule,
// replay_instance_settings), as run_test does for a replay. Any exception
// other than BadInput is a bug, as is a crash or a hang.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "cli/replay_plan.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"

namespace {

void write_file(const std::filesystem::path& p, const void* data, size_t size) {
  FILE* f = std::fopen(p.c_str(), "wb");
  if (!f || std::fwrite(data, 1, size, f) != size || std::fclose(f) != 0) {
    std::perror(p.c_str());
    std::abort();
  }
}

// What the test command writes as scenario.json (TestConfig::to_json), for a
// run with interval faults and two triggers.
constexpr const char* kScenario = R"({
  "name": "fuzz-faults", "system": "miroir", "workload": "set", "nemesis": ["kill", "partition"],
  "triggers": [{"on": "at:5", "fault": "pause", "for": 2},
               {"on": "at:8", "fault": "loss", "with": {"loss-probability": 0.5}}],
  "nodes": 3, "time-limit": 15, "concurrency": 10, "rate": 500, "seed": 42, "results": "results",
  "bug": [], "checkers": ["set-full"], "expected": "valid",
  "set": {"nemesis-interval": "2", "nemesis-duration": "3"}
})";

std::filesystem::path run_dir() {
  static const std::filesystem::path dir = [] {
    eclat::log::set_stderr_level(eclat::log::Level::error);
    const char* tmp = std::getenv("TMPDIR");
    std::string d = std::string(tmp && *tmp ? tmp : "/tmp") + "/fuzz_faults.XXXXXX";
    if (!mkdtemp(d.data())) {
      std::perror("mkdtemp");
      std::abort();
    }
    static std::string made = d;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(made, ec);
    });
    const std::string s = kScenario;
    write_file(std::filesystem::path(d) / "scenario.json", s.data(), s.size());
    write_file(std::filesystem::path(d) / "faults.jsonl", "", 0);
    try {  // the fixture itself must load
      (void)eclat::load_replay_plan(d);
    } catch (const eclat::BadInput& e) {
      std::fprintf(stderr, "fuzz_faults: the fixed scenario.json does not load: %s\n", e.what());
      std::abort();
    }
    return std::filesystem::path(d);
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::filesystem::path dir = run_dir();
  write_file(dir / "faults.jsonl", data, size);
  try {
    eclat::ReplayPlan plan = eclat::load_replay_plan(dir);
    (void)eclat::replay_schedule(plan);
    (void)eclat::replay_instance_settings(plan.cfg, plan);
  } catch (const eclat::BadInput&) {
  }
  return 0;
}
