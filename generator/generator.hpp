// Generators: what operations to invoke, and when, in the spirit of Jepsen's
// generators, as small composable pieces (combinators.hpp) driven by a clock
// (clock.hpp) so that the same code runs the real main phase and unit tests
// in virtual time.
//
// The protocol. A driver (one per worker thread, or the nemesis thread) asks
//   Next n = gen.op(ctx);
// with ctx.now the current time (seconds since the generator's epoch, e.g.
// the start of the main phase) and ctx.thread the asking worker. The answer:
//   op        invoke n.op, not before n.at (>= ctx.now); the driver sleeps
//             until then, invokes, and feeds the completion back with
//             gen.update(ctx, completion)
//   pending   nothing now, ask again at n.at or after any completion (e.g.
//             until-ok waiting for the outcome of the op it emitted)
//   exhausted this generator has no more operation for that thread, ever
// Generators are stateful objects (not immutable values as in Clojure): each
// op() call consumes what it returns, so a driver never asks without using
// the answer. clone() gives a fresh copy of the generator as it was built
// (each-thread and repeat need one). Randomness comes only from ctx.rng, the
// asking thread's generator: a worker's sequence of operations and times
// depends only on the seed and on its own completions, never on how the
// threads interleave, which is what makes a run replayable. A generator
// shared by several threads is called under the driver's lock.
#pragma once
#include <cstdint>
#include <memory>
#include <random>

#include "history/history.hpp"

namespace eclat::gen {

inline constexpr int kNemesisThread = -1;

struct Context {
  double now = 0;              // seconds since the epoch of the run
  int thread = 0;              // 0..threads-1 for workers, kNemesisThread
  int threads = 1;             // number of worker threads
  int64_t process = 0;         // the process the thread currently runs as
  std::mt19937_64* rng = nullptr;  // the asking thread's own random source

  std::mt19937_64& random() const { return *rng; }
};

struct Next {
  enum Kind { op, pending, exhausted };
  Kind kind = exhausted;
  Op operation;     // f, key, value of the invocation (kind == op)
  double at = 0;    // op: due time; pending: when to ask again (may be +inf)

  static Next of(Op o, double at) { return {op, std::move(o), at}; }
  static Next wait(double until) { return {pending, {}, until}; }
  static Next done() { return {}; }
};

class Generator {
 public:
  virtual ~Generator() = default;
  virtual Next op(const Context& ctx) = 0;
  // The completion (ok/fail/info) of an operation this generator returned,
  // or one of its children did. Default: nothing to learn.
  virtual void update(const Context&, const Op&) {}
  virtual std::unique_ptr<Generator> clone() const = 0;
};

using GenPtr = std::unique_ptr<Generator>;

}  // namespace eclat::gen
