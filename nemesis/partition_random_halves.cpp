// partition-random-halves: the nodes shuffled, then cut in two halves that
// cannot hear each other.
#include "nemesis/grudge_fault.hpp"

namespace eclat {
namespace {

const bool registered = register_fault({.name = "partition-random-halves", .doc = "the storage nodes cut in two shuffled halves", .colour = "#41ab5d"}, [] {
  return std::make_unique<GrudgeFault>([](const std::vector<std::string>& nodes, std::mt19937_64& rng) {
    return grudge::halves(shuffled(nodes, rng));
  });
});

}  // namespace
}  // namespace eclat
