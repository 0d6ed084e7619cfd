// partition-bridge: two halves that cannot hear each other and one node
// (random) that hears both.
#include "nemesis/grudge_fault.hpp"

namespace eclat {
namespace {

const bool registered = register_fault({.name = "partition-bridge", .doc = "two halves that cannot hear each other and a middle node that hears both", .colour = "#a1d99b"}, [] {
  return std::make_unique<GrudgeFault>([](const std::vector<std::string>& nodes, std::mt19937_64& rng) {
    return grudge::bridge(shuffled(nodes, rng));
  });
});

}  // namespace
}  // namespace eclat
