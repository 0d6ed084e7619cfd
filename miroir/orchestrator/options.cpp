#include "miroir/orchestrator/options.hpp"

#include <stdexcept>

namespace miroir::orchestrator {

const std::vector<std::string>& known_bug_switches() {
  static const std::vector<std::string> names = {
      "ack-any-status", "retry-cache-aba",   "get-by-id-shard0",  "skip-delta",
      "bypass-gate",    "conditional-delta", "no-drain-deadline", "volatile-inflight",
      "no-anti-entropy-repair"};
  return names;
}

BugSwitches parse_bug_switches(const std::vector<std::string>& names) {
  BugSwitches bugs;
  for (const auto& n : names) {
    if (n == "ack-any-status")
      bugs.ack_any_status = true;
    else if (n == "retry-cache-aba")
      bugs.retry_cache_aba = true;
    else if (n == "get-by-id-shard0")
      bugs.get_by_id_shard0 = true;
    else if (n == "skip-delta")
      bugs.skip_delta = true;
    else if (n == "bypass-gate")
      bugs.bypass_gate = true;
    else if (n == "conditional-delta")
      bugs.conditional_delta = true;
    else if (n == "no-drain-deadline")
      bugs.no_drain_deadline = true;
    else if (n == "volatile-inflight")
      bugs.volatile_inflight = true;
    else if (n == "no-anti-entropy-repair")
      bugs.no_anti_entropy_repair = true;
    else
      throw std::invalid_argument("unknown --bug \"" + n + "\"");
  }
  return bugs;
}

}  // namespace miroir::orchestrator
