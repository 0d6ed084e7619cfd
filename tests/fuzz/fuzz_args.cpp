// libFuzzer target for `eclat test`'s arguments: the input split on NUL or
// newline is the argument vector (after the word "test") given to
// parse_test_args (the flags, --set KEY=VALUE through Settings::put,
// validate_common), then what the test command does next before anything
// starts (validate_run.hpp). Arguments equal to --scenario are dropped: the
// target reads no file. Any exception other than BadInput is a bug, as is a
// crash or a hang.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/test_config.hpp"
#include "tests/fuzz/validate_run.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = [] {
    eclat::log::set_stderr_level(eclat::log::Level::error);
    return true;
  }();
  (void)quiet;
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
  try {
    eclat::fuzz::validate_run(eclat::parse_test_args(args));
  } catch (const eclat::BadInput&) {
  }
  return 0;
}
