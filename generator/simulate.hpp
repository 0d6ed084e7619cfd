// Runs a generator in virtual time, deterministically: `threads` workers,
// each operation taking the time and outcome that `complete` gives it. The
// thread free the earliest goes next (ties: the lower thread). What the tests
// use to check exact sequences and times, and a way to see what a generator
// would do without a cluster.
#pragma once
#include <functional>
#include <vector>

#include "generator/generator.hpp"

namespace eclat::gen {

struct Simulated {
  int thread;
  int64_t process;
  double invoked, completed;  // virtual seconds
  Op op;                      // the invocation (f, key, value)
  OpType outcome;
};

struct Outcome {
  OpType type = OpType::ok;
  double latency = 0;
};

// `rngs`: one per thread, seeded as the real run seeds its workers
// (worker_rng); stops at the `max_ops`th operation (a guard for endless ones).
std::vector<Simulated> simulate(Generator& gen, int threads, uint64_t seed,
                                const std::function<Outcome(const Simulated&)>& complete,
                                size_t max_ops = 100000);

// The random source of worker `w` for a run with `seed` (the real runner and
// the simulation share it, so they draw the same sequences).
std::mt19937_64 worker_rng(uint64_t seed, int w);

}  // namespace eclat::gen
