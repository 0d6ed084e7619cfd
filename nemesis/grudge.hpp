// Grudges, Jepsen's way of saying who cannot hear whom: {"n1": ["n2", "n3"]}
// means n1 drops the packets n2 and n3 send it. Pure functions (no lab), so
// every shape is unit-tested; the partition faults apply a grudge with
// TrafficControl::drop(from, to) for each sender listed.
#pragma once
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace eclat::grudge {

using Grudge = std::map<std::string, std::set<std::string>>;  // receiver -> senders dropped

// Every node drops what comes from nodes outside its own component.
Grudge complete(const std::vector<std::vector<std::string>>& components);

// [first floor(n/2)] | [the rest], in the order given.
Grudge halves(const std::vector<std::string>& nodes);
// One node cut off from every other.
Grudge isolate(const std::string& node, const std::vector<std::string>& nodes);
// Jepsen's majorities ring, over the nodes in the order given (a ring):
// every node hears the nodes at most k places away on either side, with k
// the smallest number making that a majority, so every node sees a majority
// and no two nodes see the same one (for 5 nodes: each sees its two
// neighbours). With 3 nodes every view is the whole ring: no cut.
Grudge majorities_ring(const std::vector<std::string>& nodes);
// Two halves that cannot hear each other and the middle node that hears both
// (the bridge): [0, n/2) | n/2 | (n/2, n).
Grudge bridge(const std::vector<std::string>& nodes);
// `from` cannot reach `to`; `to` still reaches `from` (as far as the
// protocol allows: a TCP handshake needs both ways, a datagram does not).
Grudge one_way(const std::string& from, const std::string& to);

// JSON both ways ({"n1": ["n2"]}); from_json throws std::invalid_argument on
// a malformed grudge.
nlohmann::json to_json(const Grudge& g);
Grudge from_json(const nlohmann::json& j);

// The directed links (from, to) the grudge drops.
std::set<std::pair<std::string, std::string>> dropped_links(const Grudge& g);

}  // namespace eclat::grudge
