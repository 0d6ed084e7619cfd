// jepsen.independent runs one test per key and packs the key into every
// operation's value: {:f :write, :value [3 5]} is a write of 5 to key 3.
// Unpacking moves the key into Op::key and leaves the value, so every
// checker sees keyed operations (the linearizability checker then checks
// each key alone, as jepsen.independent's checker does).
//
// An invocation's value must be a [key value] pair. A completion whose value
// is a pair must name its invocation's key; one whose value is not (an info
// carrying only :timed-out, a lost compare read from an etcd log as `false`)
// is that value, for its invocation's key. Nemesis
// operations are left as they are. An operation that already has a :key is
// refused: its key would be ambiguous. Errors are BadInput "name:line: ...".
#pragma once
#include <string>

#include "history/history.hpp"

namespace eclat {

void unpack_independent(ReadResult& history, const std::string& name);

// The text of a key as Op::key holds it (a string as is, anything else as
// its JSON text).
std::string key_text(const nlohmann::json& key);

}  // namespace eclat
