// partition-one: one random node cut off from every other node.
#include "nemesis/grudge_fault.hpp"

namespace eclat {
namespace {

const bool registered = register_fault("partition-one", [] {
  return std::make_unique<GrudgeFault>([](const std::vector<std::string>& nodes, std::mt19937_64& rng) {
    return grudge::isolate(shuffled(nodes, rng).front(), nodes);
  });
});

}  // namespace
}  // namespace eclat
