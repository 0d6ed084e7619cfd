// partition-majorities-ring: Jepsen's ring (see grudge.hpp): every node sees a
// majority, no two the same one; the ring order is random.
#include "nemesis/grudge_fault.hpp"

namespace eclat {
namespace {

const bool registered = register_fault({.name = "partition-majorities-ring", .doc = "Jepsen's ring: every node hears its own majority", .colour = "#006d2c"}, [] {
  return std::make_unique<GrudgeFault>([](const std::vector<std::string>& nodes, std::mt19937_64& rng) {
    return grudge::majorities_ring(shuffled(nodes, rng));
  });
});

}  // namespace
}  // namespace eclat
