#include "nemesis/grudge.hpp"

#include <stdexcept>

namespace eclat::grudge {

Grudge complete(const std::vector<std::vector<std::string>>& components) {
  Grudge g;
  for (size_t i = 0; i < components.size(); ++i)
    for (const auto& receiver : components[i])
      for (size_t j = 0; j < components.size(); ++j)
        if (j != i)
          for (const auto& sender : components[j]) g[receiver].insert(sender);
  return g;
}

Grudge halves(const std::vector<std::string>& nodes) {
  const size_t half = nodes.size() / 2;
  return complete({{nodes.begin(), nodes.begin() + half}, {nodes.begin() + half, nodes.end()}});
}

Grudge isolate(const std::string& node, const std::vector<std::string>& nodes) {
  std::vector<std::string> rest;
  for (const auto& n : nodes)
    if (n != node) rest.push_back(n);
  return complete({{node}, rest});
}

Grudge majorities_ring(const std::vector<std::string>& nodes) {
  const size_t n = nodes.size();
  Grudge g;
  if (n < 2) return g;
  const size_t majority = n / 2 + 1;
  const size_t k = majority / 2;  // 2k + 1 >= majority: a node and k on each side
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      const size_t d = (i + n - j) % n;
      const size_t distance = std::min(d, n - d);
      if (distance > k) g[nodes[i]].insert(nodes[j]);
    }
  }
  return g;
}

Grudge bridge(const std::vector<std::string>& nodes) {
  const size_t mid = nodes.size() / 2;
  std::vector<std::string> left(nodes.begin(), nodes.begin() + mid);
  std::vector<std::string> right(nodes.begin() + std::min(mid + 1, nodes.size()), nodes.end());
  Grudge g = complete({left, right});
  return g;
}

Grudge one_way(const std::string& from, const std::string& to) { return {{to, {from}}}; }

nlohmann::json to_json(const Grudge& g) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [receiver, senders] : g) j[receiver] = senders;
  return j;
}

Grudge from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("a grudge is an object {receiver: [senders]}");
  Grudge g;
  for (const auto& [receiver, senders] : j.items()) {
    if (!senders.is_array()) throw std::invalid_argument("grudge of " + receiver + " is not a list");
    for (const auto& s : senders) {
      if (!s.is_string()) throw std::invalid_argument("grudge of " + receiver + " lists a non-name");
      g[receiver].insert(s.get<std::string>());
    }
  }
  return g;
}

std::set<std::pair<std::string, std::string>> dropped_links(const Grudge& g) {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& [receiver, senders] : g)
    for (const auto& s : senders) out.emplace(s, receiver);
  return out;
}

}  // namespace eclat::grudge
