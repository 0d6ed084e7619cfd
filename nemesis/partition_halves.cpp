// partition-halves: the first half of the nodes (in their order) and the rest
// cannot hear each other.
#include "nemesis/grudge_fault.hpp"

namespace eclat {
namespace {

const bool registered = register_fault({.name = "partition-halves", .doc = "the storage nodes cut in two halves, in order", .colour = "#74c476"}, [] {
  return std::make_unique<GrudgeFault>([](const std::vector<std::string>& nodes, std::mt19937_64& rng) {
    (void)rng;
    return grudge::halves(nodes);
  });
});

}  // namespace
}  // namespace eclat
