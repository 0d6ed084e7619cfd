// How an orchestrator behaves where the design leaves a choice, set on its
// command line and handed to the paths that need it.
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
#include <optional>
#include <string_view>

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

struct OrchestratorOptions {
  UnavailableShards unavailable_shards = UnavailableShards::partial;
};

}  // namespace miroir::orchestrator
