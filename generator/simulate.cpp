#include "generator/simulate.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

namespace eclat::gen {

std::mt19937_64 worker_rng(uint64_t seed, int w) { return std::mt19937_64(seed * 1000003 + static_cast<uint64_t>(w)); }

std::vector<Simulated> simulate(Generator& gen, int threads, uint64_t seed,
                                const std::function<Outcome(const Simulated&)>& complete, size_t max_ops) {
  std::vector<std::mt19937_64> rngs;
  std::vector<double> free_at(threads, 0);  // when the thread next acts
  std::vector<int64_t> process(threads);
  std::vector<bool> done(threads, false);
  std::vector<std::optional<Op>> outstanding(threads);  // completion due at free_at
  for (int w = 0; w < threads; ++w) {
    rngs.push_back(worker_rng(seed, w));
    process[w] = w;
  }
  std::vector<Simulated> out;
  while (true) {
    // The earliest event; at the same time completions come before asks
    // (what completed by then is known), then the lower thread.
    int w = -1;
    for (int i = 0; i < threads; ++i) {
      if (done[i]) continue;
      if (w < 0 || free_at[i] < free_at[w] ||
          (free_at[i] == free_at[w] && outstanding[i] && !outstanding[w]))
        w = i;
    }
    if (w < 0 || std::isinf(free_at[w])) break;
    Context ctx{free_at[w], w, threads, process[w], &rngs[w]};
    if (outstanding[w]) {
      gen.update(ctx, *outstanding[w]);
      if (outstanding[w]->type == OpType::info) process[w] += threads;
      outstanding[w].reset();
      continue;
    }
    if (out.size() >= max_ops) break;
    Next n = gen.op(ctx);
    if (n.kind == Next::exhausted) {
      done[w] = true;
      continue;
    }
    if (n.kind == Next::pending) {
      // Blocked: ask again when due, or after the next completion of anyone.
      double next = n.at;
      for (int i = 0; i < threads; ++i)
        if (i != w && outstanding[i]) next = std::min(next, free_at[i]);
      free_at[w] = next > ctx.now ? next : std::nextafter(ctx.now, INFINITY);
      continue;
    }
    Simulated s{w, process[w], std::max(n.at, ctx.now), 0, n.operation, OpType::ok};
    Outcome o = complete(s);
    s.completed = s.invoked + o.latency;
    s.outcome = o.type;
    out.push_back(s);
    Op done_op = n.operation;
    done_op.type = o.type;
    done_op.process = process[w];
    outstanding[w] = done_op;
    free_at[w] = s.completed;
  }
  return out;
}

}  // namespace eclat::gen
