// partition-one: one random node cut off from every other node.
#include "nemesis/grudge_fault.hpp"

namespace eclat {
namespace {

const bool registered = register_fault({.name = "partition-one", .doc = "one random storage node cut off from the others", .colour = "#238b45"}, [] {
  return std::make_unique<GrudgeFault>([](const std::vector<std::string>& nodes, std::mt19937_64& rng) {
    return grudge::isolate(shuffled(nodes, rng).front(), nodes);
  });
});

}  // namespace
}  // namespace eclat
