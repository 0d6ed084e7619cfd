// The generator toolkit (see generator.hpp for the protocol). Each returns a
// fresh generator; those taking children own them.
//
// Sources
//   once(op)             one operation, due at once
//   from_fn(f)           f(ctx) on every ask, forever (f draws from ctx.rng;
//                        clones share f, so keep per-thread state by
//                        ctx.thread, as Workload::next does)
//   at_times(list)       operations at fixed offsets since the epoch, in order
//                        (a recorded schedule: eclat replay)
// Timing
//   stagger(dt, g)       waits a uniform random [0, 2*dt) between the due
//                        times of g's operations (Jepsen's stagger); a thread
//                        that fell behind does not catch up in a burst
//   rate(r, g)           at most r operations per second: 1/r between due times
//   after(dt, g)         each operation due dt after it was asked for, i.e.
//                        dt after the previous one of that thread completed
//   time_limit(s, g)     exhausted once s seconds have passed since its first
//                        ask, and any operation due at or after that instant
//                        is dropped (the main phase's --time-limit)
// Composition
//   mix(gs)              each ask draws one of the live children at random
//                        (an exhausted child drops out)
//   phases(gs)           one after another: the next starts when the current
//                        is exhausted
//   flip_flop(a, b)      a, b, a, b...: exhausted when the one whose turn it
//                        is is exhausted (start/stop of a fault)
//   repeat(n, g)         g again from scratch each time it is exhausted, n
//                        times (n < 0: forever)
//   until_ok(g)          g's operations one at a time until one completes
//                        ok (the outcome is fed back through update); then
//                        exhausted
//   each_thread(g)       a copy of g per thread: every worker has its own
//                        sequence (and exhausts on its own)
//   shuffled_turns(gs,k) a turn is k operations of one child; turns go
//                        through the children in a freshly shuffled order
//                        each cycle (the interval nemesis: k = 2, start+stop)
#pragma once
#include <functional>
#include <vector>

#include "generator/generator.hpp"

namespace eclat::gen {

GenPtr once(Op op);
GenPtr from_fn(std::function<Op(const Context&)> f);
struct Timed {
  double at;
  Op op;
};
GenPtr at_times(std::vector<Timed> ops);

GenPtr stagger(double dt, GenPtr g);
GenPtr rate(double ops_per_s, GenPtr g);
GenPtr after(double dt, GenPtr g);
GenPtr time_limit(double seconds, GenPtr g);

GenPtr mix(std::vector<GenPtr> gs);
GenPtr phases(std::vector<GenPtr> gs);
GenPtr flip_flop(GenPtr a, GenPtr b);
GenPtr repeat(int64_t n, GenPtr g);
GenPtr until_ok(GenPtr g);
GenPtr each_thread(GenPtr g);
GenPtr shuffled_turns(std::vector<GenPtr> gs, int ops_per_turn);

// Convenience: a vector from move-only pieces (initializer lists copy).
template <class... G>
std::vector<GenPtr> list(G&&... g) {
  std::vector<GenPtr> v;
  (v.push_back(std::forward<G>(g)), ...);
  return v;
}

}  // namespace eclat::gen
