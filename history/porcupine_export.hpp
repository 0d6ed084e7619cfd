// Writes a history as the Jepsen etcd text log that Porcupine's tests read
// (and `eclat check --format porcupine-log`):
//   INFO  jepsen.util - 3	:invoke	:cas	[1 4]
// so a user can hand Éclat's history to Porcupine and compare verdicts.
// The format's meanings, which the export keeps:
//   - `:fail :cas [a b]` is a compare that ran and lost: Éclat's ok cas with
//     value false is written so, with its invocation's [a b];
//   - an unknown outcome is `:timed-out`: an info read is written
//     `:fail :read :timed-out` (as the etcd logs do), other info operations
//     `:info :<f> :timed-out` when they carry no value;
//   - the format has no way to say "did not happen" (its :fail :cas means a
//     lost compare), so an operation that failed is left out, invocation and
//     completion: it did not happen, so the verdict is the same without it;
//   - a keyed operation's value becomes [key value] (jepsen.independent's
//     tuple): read it back with --independent.
#pragma once
#include <cstddef>
#include <ostream>

#include "history/history.hpp"

namespace eclat {

struct PorcupineExport {
  size_t written = 0;       // lines
  size_t left_out = 0;      // failed operations (invocation + completion count once)
  bool keyed = false;       // some value was written as a [key value] tuple
};

PorcupineExport write_porcupine_log(const History& history, std::ostream& out);

}  // namespace eclat
