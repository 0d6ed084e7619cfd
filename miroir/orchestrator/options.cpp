#include "miroir/orchestrator/options.hpp"

#include <stdexcept>

namespace miroir::orchestrator {

const std::vector<std::string>& known_bug_switches() {
  static const std::vector<std::string> names = {"ack-any-status", "retry-cache-aba",
                                                 "get-by-id-shard0"};
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
    else
      throw std::invalid_argument("unknown --bug \"" + n + "\"");
  }
  return bugs;
}

}  // namespace miroir::orchestrator
