#include "checker/linearizability/partition.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <unordered_map>

#include "core/errors.hpp"

namespace eclat::lin {

std::string Partition::label() const {
  if (keys.size() == 1) return keys[0].empty() ? "(the register)" : keys[0];
  if (keys.size() > 4) return "(" + std::to_string(keys.size()) + " keys)";
  std::string s;
  for (const auto& k : keys) s += (s.empty() ? "" : ",") + k;
  return s;
}

std::vector<Partition> partition_operations(const std::vector<LinOp>& ops, const Model& model,
                                            bool split, const std::vector<std::string>& where) {
  std::unordered_map<std::string, uint32_t> key_id;
  std::vector<std::string> key_name;
  std::vector<std::vector<uint32_t>> op_keys(ops.size());
  std::vector<uint32_t> parent;
  auto find = [&](uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (size_t i = 0; i < ops.size(); ++i) {
    std::vector<std::string> ks;
    try {
      ks = model.keys(ops[i]);
    } catch (const std::exception& e) {
      throw BadInput((i < where.size() ? where[i] : "operation " + std::to_string(i)) + ": " +
                     e.what());
    }
    for (const auto& k : ks) {
      auto [it, fresh] = key_id.emplace(k, static_cast<uint32_t>(key_name.size()));
      if (fresh) {
        key_name.push_back(k);
        parent.push_back(it->second);
      }
      op_keys[i].push_back(it->second);
    }
    for (size_t j = 1; j < op_keys[i].size(); ++j) {
      uint32_t a = find(op_keys[i][0]), b = find(op_keys[i][j]);
      if (a != b) parent[std::max(a, b)] = std::min(a, b);
    }
  }
  // Groups, numbered in the order of their smallest key name.
  std::map<uint32_t, uint32_t> group_of_root;
  std::vector<uint32_t> order(key_name.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return key_name[a] < key_name[b]; });
  for (uint32_t k : order) group_of_root.emplace(find(k), static_cast<uint32_t>(group_of_root.size()));

  size_t nparts = split ? group_of_root.size() : (key_name.empty() ? 0 : 1);
  std::vector<Partition> parts(nparts);
  std::vector<uint32_t> part_of_key(key_name.size()), slot_of_key(key_name.size());
  for (uint32_t k : order) {
    uint32_t g = group_of_root[find(k)];
    uint32_t p = split ? g : 0;
    part_of_key[k] = p;
    slot_of_key[k] = static_cast<uint32_t>(parts[p].keys.size());
    parts[p].keys.push_back(key_name[k]);
    parts[p].slot_atom.push_back(split ? 0 : g);
  }
  for (size_t i = 0; i < ops.size(); ++i) {
    if (op_keys[i].empty()) continue;  // touches nothing: always linearizable
    Partition& p = parts[part_of_key[op_keys[i][0]]];
    p.ops.push_back(static_cast<uint32_t>(i));
    std::vector<uint32_t> sl;
    for (uint32_t k : op_keys[i]) sl.push_back(slot_of_key[k]);
    p.slots.push_back(std::move(sl));
  }
  return parts;
}

}  // namespace eclat::lin
