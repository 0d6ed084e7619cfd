// Writes an Éclat history as Jepsen EDN, one operation map per line (the
// shape `eclat check --format edn` and Jepsen's tools read):
//   {:index 12, :type :ok, :process 3, :f :write, :key "0", :value 3, :time 1234}
// The nemesis is :process :nemesis; :f is a keyword when it is a valid one;
// map keys in values are keywords when valid, else strings; :key (Éclat's
// per-key operations) stays its own field: Jepsen's independent checkers
// pack it into the value as [key value] instead, so a history meant for
// Knossos per key needs that repacking (Éclat's reader takes :key as is).
// Operations are written as they are, so `eclat check` of the export reads
// back the very same history: a cas that lost its compare stays
// {:type :ok, :f :cas, :value false} (Éclat's encoding; Jepsen writes :fail).
#pragma once
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "history/history.hpp"

namespace eclat {

// One JSON value as EDN: null -> nil, arrays -> vectors, objects -> maps,
// {"#tag": v} (a tagged value the reader carried through) -> #tag v.
std::string to_edn(const nlohmann::json& v);
// One operation as an EDN map (no newline).
std::string op_to_edn(const Op& op);
// Every operation, one per line.
void write_edn_history(const History& history, std::ostream& out);

}  // namespace eclat
