// Drives one thread (a worker, or the nemesis) from a generator: ask, sleep
// until the operation is due, invoke, feed the completion back. The
// generator may be shared by several threads: every call to it is made under
// `lock`.
#pragma once
#include <functional>
#include <mutex>

#include "generator/clock.hpp"
#include "generator/generator.hpp"

namespace eclat::gen {

struct Thread {
  Generator& gen;
  std::mutex& lock;
  Clock& clock;
  Context ctx;  // thread, threads, process, rng; now is kept up to date
};

// Invokes the operation (ctx.process is who runs it); returns the completion.
using Invoke = std::function<Op(const Op& invocation, const Context& ctx)>;

// Runs until the generator is exhausted for this thread or `stopped` turns
// true. A worker whose operation ended info goes on as a new process,
// Jepsen's rule: process + threads, so process mod threads = worker.
void drive(Thread t, const std::function<bool()>& stopped, const Invoke& invoke);

}  // namespace eclat::gen
