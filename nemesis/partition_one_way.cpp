// partition-one-way: a random node A cannot reach a random node B, while B
// still reaches A (datagrams arrive; a TCP handshake fails both ways, since it
// needs both).
#include "nemesis/grudge_fault.hpp"

namespace eclat {
namespace {

const bool registered = register_fault("partition-one-way", [] {
  return std::make_unique<GrudgeFault>([](const std::vector<std::string>& nodes, std::mt19937_64& rng) {
    auto s = shuffled(nodes, rng);
    return grudge::one_way(s.at(0), s.at(1));
  });
});

}  // namespace
}  // namespace eclat
