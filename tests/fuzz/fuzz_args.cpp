// libFuzzer target for `eclat test`'s arguments: the input split on NUL or
// newline is the argument vector (after the word "test") given to
// parse_test_args (the flags, --set KEY=VALUE through Settings::put,
// validate_common), then what the test command does next before anything
// starts (validate_run.hpp). Arguments equal to --scenario are dropped: the
// target reads no file. Any exception other than BadInput is a bug, as is a
// crash or a hang.
//
// ECLAT_FUZZ_SKIP_KNOWN=1 skips the inputs of a finding already kept
// (regressions/fuzz_args/), so that fuzzing goes past it: a --results value
// that is not UTF-8 (parse_test_args takes it; TestConfig::to_json().dump(),
// run_test's scenario.json, throws nlohmann type_error 316).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/test_config.hpp"
#include "tests/fuzz/validate_run.hpp"

namespace {

bool valid_utf8(const std::string& s) {
  try {
    (void)nlohmann::json(s).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = [] {
    eclat::log::set_stderr_level(eclat::log::Level::error);
    return true;
  }();
  (void)quiet;
  static const bool skip_known = [] {
    const char* v = std::getenv("ECLAT_FUZZ_SKIP_KNOWN");
    return v && *v && std::string(v) != "0";
  }();
  std::vector<std::string> args;
  std::string arg;
  for (size_t i = 0; i <= size; ++i) {
    if (i == size || data[i] == '\0' || data[i] == '\n') {
      if (arg != "--scenario" && !(i == size && arg.empty())) args.push_back(arg);
      arg.clear();
    } else {
      arg.push_back(static_cast<char>(data[i]));
    }
  }
  if (skip_known)
    for (size_t i = 0; i + 1 < args.size(); ++i)
      if (args[i] == "--results" && !valid_utf8(args[i + 1])) return 0;
  try {
    eclat::fuzz::validate_run(eclat::parse_test_args(args));
  } catch (const eclat::BadInput&) {
  }
  return 0;
}
