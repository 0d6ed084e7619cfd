// Exit codes CI acts on, and the two error kinds that map onto them.
#pragma once
#include <stdexcept>
#include <string>

namespace eclat {

enum ExitCode : int {
  kExitValid = 0,    // every checker valid
  kExitInvalid = 1,  // some checker found an anomaly
  kExitUnknown = 2,  // the checkers could not decide
  kExitBadInput = 3, // a malformed flag, scenario or history
  kExitHarness = 4,  // the lab, a node or the harness itself failed
};

// A user mistake: the message names the flag, key, file or line at fault.
struct BadInput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The environment or the harness failed (cluster never ready, netlink refused...).
struct HarnessError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace eclat
