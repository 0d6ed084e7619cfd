// partition-one-way: a random node A cannot reach a random node B, while B
// still reaches A (datagrams arrive; a TCP handshake fails both ways, since it
// needs both).
#include "nemesis/grudge_fault.hpp"

namespace eclat {
namespace {

const bool registered = register_fault({.name = "partition-one-way", .doc = "node A cannot reach node B while B reaches A", .colour = "#c7e9c0"}, [] {
  return std::make_unique<GrudgeFault>([](const std::vector<std::string>& nodes, std::mt19937_64& rng) {
    auto s = shuffled(nodes, rng);
    return grudge::one_way(s.at(0), s.at(1));
  });
});

}  // namespace
}  // namespace eclat
