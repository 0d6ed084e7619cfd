// What an orchestrator is told at start besides its cluster: how it behaves
// where the design leaves a choice, the health-probe pacing, and the bug
// switches (positive controls, `--bug NAME`). One value set from the command
// line and handed to the parts that care, so no switch is a global and a test
// can build a service with any combination.
//
// --unavailable-shards: what a read that scatters over shards (search, list)
// does when some shard has no reachable owner anywhere:
//   partial (default)  answer with what was reachable, naming the missing
//                      shards (search: degraded + degraded_shards; list: an
//                      error page for the shard, then the other shards);
//   error              refuse: search answers error_code
//                      miroir_shard_unavailable and no hits; list stops at
//                      the first such shard (see read_path.hpp).
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace miroir::orchestrator {

enum class UnavailableShards { partial, error };

inline std::optional<UnavailableShards> parse_unavailable_shards(std::string_view s) {
  if (s == "partial") return UnavailableShards::partial;
  if (s == "error") return UnavailableShards::error;
  return std::nullopt;
}

inline const char* to_string(UnavailableShards p) {
  return p == UnavailableShards::error ? "error" : "partial";
}

// Each switch turns one documented divergence of upstream's code from its
// design back on (shared/design/miroir.md, "Bug switches"). All off = design.
struct BugSwitches {
  // Any node reply, even a refusal (non-empty error_code), counts as an
  // acknowledgement for the quorum.
  bool ack_any_status = false;
  // An identical request body to the same node within 60 s is not resent:
  // the earlier reply is reused (v1, v2, v1 leaves v2).
  bool retry_cache_aba = false;
  // get-by-id asks an owner of shard 0 instead of the id's shard.
  bool get_by_id_shard0 = false;
  // Migrations (miroir.md, "Migration"):
  // no delta pass (the safety gate still refuses it with anti-entropy off,
  // unless bypass_gate).
  bool skip_delta = false;
  // The safety gate lets skip-delta through even with anti-entropy off.
  bool bypass_gate = false;
  // Delta pass only if a tracked dual-write failed on the new node.
  bool conditional_delta = false;
  // The drain returns at once instead of waiting for in-flight writes.
  bool no_drain_deadline = false;
  // The in-flight dual-write list is kept in memory only (lost on restart).
  bool volatile_inflight = false;
  // Anti-entropy: report differences, never repair them.
  bool no_anti_entropy_repair = false;
};

// The names `--bug` accepts, in the order --help lists them.
const std::vector<std::string>& known_bug_switches();

// Throws std::invalid_argument naming an unknown switch.
BugSwitches parse_bug_switches(const std::vector<std::string>& names);

struct OrchestratorOptions {
  UnavailableShards unavailable_shards = UnavailableShards::partial;
  // Health probes (design: every 5 s, 2 s timeout). Tests shorten the
  // interval; the timeout is min(probe_timeout, probe_interval) so rounds
  // never overlap.
  std::chrono::milliseconds probe_interval{5000};
  std::chrono::milliseconds probe_timeout{2000};
  // Anti-entropy (--anti-entropy on|off, default on): stamp
  // `_miroir_updated_at` on every write and run a pass every
  // anti_entropy_interval (default 6 h), or on demand (RunAntiEntropy).
  bool anti_entropy = true;
  std::chrono::milliseconds anti_entropy_interval{6LL * 3600 * 1000};
  // Migrations: how long the drain waits for in-flight dual-writes
  // (--drain-deadline-ms, default 30 s) and the background copy's page size.
  std::chrono::milliseconds drain_deadline{30000};
  uint32_t copy_page_size = 1000;
  // Pause between two pages of the background copy (--copy-pause-ms; 0 = none).
  std::chrono::milliseconds copy_pause{0};
  BugSwitches bugs;
};

}  // namespace miroir::orchestrator
