#include "miroir/common/cluster_config.hpp"

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace miroir {

namespace {

[[noreturn]] void bad(const std::string& what) {
  throw std::invalid_argument("cluster config: " + what);
}

uint32_t get_u32(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.contains(key)) bad(where + "missing \"" + key + "\"");
  const auto& v = j.at(key);
  if (!v.is_number_integer()) bad(where + "\"" + key + "\" must be an integer");
  if (v.is_number_unsigned()) {
    uint64_t x = v.get<uint64_t>();
    if (x > UINT32_MAX) bad(where + "\"" + key + "\" is too large");
    return static_cast<uint32_t>(x);
  }
  int64_t x = v.get<int64_t>();
  if (x < 0) bad(where + "\"" + key + "\" must not be negative (got " + std::to_string(x) + ")");
  if (x > UINT32_MAX) bad(where + "\"" + key + "\" is too large");
  return static_cast<uint32_t>(x);
}

std::string get_string(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.contains(key)) bad(where + "missing \"" + key + "\"");
  const auto& v = j.at(key);
  if (!v.is_string()) bad(where + "\"" + key + "\" must be a string");
  return v.get<std::string>();
}

}  // namespace

ClusterConfig ClusterConfig::from_json(const nlohmann::json& j) {
  if (!j.is_object()) bad("the top level must be a JSON object");
  ClusterConfig c;
  c.shards = get_u32(j, "shards", "");
  c.replication_factor = get_u32(j, "replication_factor", "");
  c.index = get_string(j, "index", "");
  if (!j.contains("nodes") || !j.at("nodes").is_array()) bad("\"nodes\" must be an array");
  size_t i = 0;
  for (const auto& n : j.at("nodes")) {
    std::string where = "nodes[" + std::to_string(i++) + "]: ";
    if (!n.is_object()) bad(where + "must be an object");
    NodeConfig nc;
    nc.name = get_string(n, "name", where);
    nc.address = get_string(n, "address", where);
    nc.group = get_u32(n, "group", where);
    c.nodes.push_back(std::move(nc));
  }
  c.validate();
  return c;
}

ClusterConfig ClusterConfig::parse(const std::string& json_text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::parse_error& e) {
    bad(std::string("not valid JSON: ") + e.what());
  }
  return from_json(j);
}

ClusterConfig ClusterConfig::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) bad("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return parse(ss.str());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string(e.what()) + " (in " + path + ")");
  }
}

nlohmann::json ClusterConfig::to_json() const {
  nlohmann::json nodes_j = nlohmann::json::array();
  for (const auto& n : nodes)
    nodes_j.push_back({{"name", n.name}, {"address", n.address}, {"group", n.group}});
  return {{"shards", shards},
          {"replication_factor", replication_factor},
          {"index", index},
          {"nodes", nodes_j}};
}

void ClusterConfig::validate() const {
  if (shards < 1) bad("\"shards\" must be >= 1");
  if (replication_factor < 1) bad("\"replication_factor\" must be >= 1");
  if (index.empty()) bad("\"index\" must not be empty");
  if (index.find('\0') != std::string::npos) bad("\"index\" must not contain NUL");
  if (nodes.empty()) bad("\"nodes\" must list at least one node");
  std::set<std::string> names, addresses;
  uint32_t max_group = 0;
  for (const auto& n : nodes) {
    if (n.name.empty()) bad("a node has an empty \"name\"");
    if (!names.insert(n.name).second) bad("node name \"" + n.name + "\" appears twice");
    if (n.address.empty()) bad("node \"" + n.name + "\" has an empty \"address\"");
    if (n.address.find(':') == std::string::npos)
      bad("node \"" + n.name + "\" address \"" + n.address + "\" must be host:port");
    if (!addresses.insert(n.address).second)
      bad("address \"" + n.address + "\" is used by two nodes");
    max_group = std::max(max_group, n.group);
  }
  std::vector<uint32_t> per_group(max_group + 1, 0);
  for (const auto& n : nodes) per_group[n.group]++;
  for (uint32_t g = 0; g <= max_group; ++g) {
    if (per_group[g] == 0)
      bad("replica groups must be numbered 0.." + std::to_string(max_group) +
          " without gaps, but group " + std::to_string(g) + " has no node");
    if (replication_factor > per_group[g])
      bad("replication_factor " + std::to_string(replication_factor) + " exceeds the " +
          std::to_string(per_group[g]) + " node(s) of group " + std::to_string(g));
  }
}

uint32_t ClusterConfig::replica_groups() const {
  uint32_t m = 0;
  for (const auto& n : nodes) m = std::max(m, n.group + 1);
  return m;
}

std::vector<std::vector<std::string>> ClusterConfig::groups() const {
  std::vector<std::vector<std::string>> g(replica_groups());
  for (const auto& n : nodes) g[n.group].push_back(n.name);
  return g;
}

int ClusterConfig::find(const std::string& name) const {
  for (size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].name == name) return static_cast<int>(i);
  return -1;
}

}  // namespace miroir
