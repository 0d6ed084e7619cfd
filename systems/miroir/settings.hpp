// miroir's settings (--set KEY=VALUE), declared once for the adapter and
// whatever else in the pack reads them; the adapter's registration lists them.
#pragma once
#include "core/settings.hpp"

namespace eclat::miroir_settings {

inline constexpr IntSetting kShards{"shards", 16, 1, 1 << 20, "miroir: number of shards S"};
inline constexpr IntSetting kRf{"rf", 1, 1, 1000, "miroir: replication factor inside a group"};
inline constexpr IntSetting kGroups{"groups", 1, 1, 1000, "miroir: replica groups RG; nodes are split evenly"};
inline constexpr IntSetting kOrchestrators{"orchestrators", 1, 1, 9,
                                           "miroir: orchestrators serving the cluster; clients are spread over them"};
inline constexpr TextSetting kUnavailableShards{
    "unavailable-shards", "partial",
    "miroir: a read missing a shard with no reachable owner is partial (degraded flag) or an error", "partial|error"};
inline constexpr FlagSetting kAntiEntropy{"anti-entropy", true, "miroir: anti-entropy on the orchestrators"};
inline constexpr IntSetting kSpareNodes{"spare-nodes", 0, 0, 50,
                                        "miroir: hosts laid out for add-node, started when added",
                                        "1 when the run adds a node, else 0"};
inline constexpr IntSetting kNewNodeGroup{"new-node-group", 0, 0, 999,
                                          "miroir: replica group add-node joins and remove-node leaves"};
inline constexpr NumberSetting kDrainDeadline{"drain-deadline", 30, 0.001, 3600,
                                              "miroir: seconds a migration's drain waits for in-flight writes"};
inline constexpr IntSetting kCopyPageSize{"copy-page-size", 1000, 1, 100000,
                                          "miroir: documents per page of a migration's background copy"};
inline constexpr NumberSetting kCopyPause{"copy-pause", 0, 0, 60,
                                          "miroir: seconds the background copy pauses between pages, a throttle"};

}  // namespace eclat::miroir_settings
