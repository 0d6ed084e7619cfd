// libFuzzer target for the scenario parser: the input is a scenario file,
// read as `eclat test --scenario FILE` reads it (parse_test_args:
// read_scenario_file, apply_scenario with its "set" settings through
// Settings::put, validate_common), then what the test command does next
// with the configuration before anything starts (validate_run.hpp: the
// system, workload, faults, triggers and checkers it names validate it;
// check_settings_used; to_json, the run's scenario.json). Any exception
// other than BadInput is a bug, as is a crash or a hang.
//
// The file lives in a directory made once (removed at exit) that also holds
// two scenarios an input may include by name ("scenario": "base.json", a
// valid one; "loop.json", which includes itself). An input whose top-level
// "scenario" names a path with a '/' is skipped: the target reads no file
// outside that directory.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/test_config.hpp"
#include "tests/fuzz/validate_run.hpp"

namespace {

void write_file(const std::filesystem::path& p, const void* data, size_t size) {
  FILE* f = std::fopen(p.c_str(), "wb");
  if (!f || std::fwrite(data, 1, size, f) != size || std::fclose(f) != 0) {
    std::perror(p.c_str());
    std::abort();
  }
}

std::filesystem::path scenario_file() {
  static const std::filesystem::path file = [] {
    eclat::log::set_stderr_level(eclat::log::Level::error);
    const char* tmp = std::getenv("TMPDIR");
    std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/fuzz_scenario.XXXXXX";
    if (!mkdtemp(dir.data())) {
      std::perror("mkdtemp");
      std::abort();
    }
    static std::string made = dir;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(made, ec);
    });
    const std::string base =
        R"({"name": "base", "workload": "set", "nemesis": ["kill"], "nodes": 3, "time-limit": 15,)"
        R"( "set": {"nemesis-interval": 2, "nemesis-duration": 3}, "expected": "valid"})";
    const std::string loop = R"({"scenario": "loop.json", "nodes": 2})";
    write_file(std::filesystem::path(dir) / "base.json", base.data(), base.size());
    write_file(std::filesystem::path(dir) / "loop.json", loop.data(), loop.size());
    return std::filesystem::path(dir) / "scenario.json";
  }();
  return file;
}

// The include apply_scenario would read, as it names it (a string or a scalar's text).
bool includes_outside(const uint8_t* data, size_t size) {
  nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("scenario")) return false;
  const nlohmann::json& s = j["scenario"];
  if (!s.is_string()) return false;  // a number or a bool: a plain file name
  const std::string name = s.get<std::string>();
  return name.find('/') != std::string::npos || name == "..";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::filesystem::path path = scenario_file();
  if (includes_outside(data, size)) return 0;
  write_file(path, data, size);
  try {
    eclat::fuzz::validate_run(eclat::parse_test_args({"--scenario", path.string()}));
  } catch (const eclat::BadInput&) {
  }
  return 0;
}
