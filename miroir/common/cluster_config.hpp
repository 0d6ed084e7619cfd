// The shape of a miroir cluster, shared by the orchestrator, the harness and
// the tests: shard count, replication factor, index name and the nodes with
// their replica group. Read from JSON:
//   {"shards":16,"replication_factor":1,"index":"docs",
//    "nodes":[{"name":"n1","address":"198.18.0.1:7700","group":0}, ...]}
// Invalid input throws std::invalid_argument whose message names the problem,
// so a bad scenario fails before any process starts.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace miroir {

struct NodeConfig {
  std::string name;
  std::string address;  // host:port, an IPv4 literal (channels use "ipv4:ADDR")
  uint32_t group = 0;
};

struct ClusterConfig {
  uint32_t shards = 0;
  uint32_t replication_factor = 0;
  std::string index;
  std::vector<NodeConfig> nodes;

  // Parse and validate; throws std::invalid_argument.
  static ClusterConfig from_json(const nlohmann::json& j);
  static ClusterConfig parse(const std::string& json_text);
  static ClusterConfig load(const std::string& path);

  nlohmann::json to_json() const;

  // Throws std::invalid_argument naming the first problem found.
  void validate() const;

  uint32_t replica_groups() const;
  // Node names of each group, in configuration order (routing sorts them anyway).
  std::vector<std::vector<std::string>> groups() const;
  // Index in `nodes` of the node with that name, or -1.
  int find(const std::string& name) const;
};

}  // namespace miroir
