// P-compositionality (Herlihy & Wing's locality, generalised by Horn &
// Kroening): when the state is a product of independent parts and each
// operation touches only its keys, a history is linearizable if and only if
// each group of keys that operations tie together is. So the checker splits
// the history into such groups and checks each alone (in parallel).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "checker/linearizability/model.hpp"

namespace eclat::lin {

struct Partition {
  std::vector<std::string> keys;        // sorted; a state slot each
  std::vector<uint32_t> ops;            // indices into the history's operations, in call order
  std::vector<std::vector<uint32_t>> slots;  // per operation of `ops`: its keys' slots
  std::vector<uint32_t> slot_atom;      // per slot: its independent group (all 0 when split)
  std::string label() const;            // "k1", "k1,k2", or "(one partition of 10 keys)"
};

// Groups the operations by the keys they touch (union-find over keys).
// split=false keeps everything in one partition, whose slots still know
// their groups (the search backjumps across them). `lines[i]` names op i in
// messages. Throws BadInput for an operation the model does not know.
std::vector<Partition> partition_operations(const std::vector<LinOp>& ops, const Model& model,
                                            bool split, const std::vector<std::string>& where);

}  // namespace eclat::lin
