#include "generator/driver.hpp"

#include <algorithm>

namespace eclat::gen {

void drive(Thread t, const std::function<bool()>& stopped, const Invoke& invoke) {
  // A pending generator is asked again after this long at most: another
  // thread's completion may have unblocked it.
  constexpr double kRecheck = 0.05;
  Context& ctx = t.ctx;
  while (!stopped()) {
    ctx.now = t.clock.now();
    Next n;
    {
      std::lock_guard g(t.lock);
      n = t.gen.op(ctx);
    }
    if (n.kind == Next::exhausted) return;
    if (n.kind == Next::pending) {
      if (!t.clock.sleep_until(std::min(n.at, ctx.now + kRecheck), stopped)) return;
      continue;
    }
    if (!t.clock.sleep_until(n.at, stopped)) return;
    ctx.now = t.clock.now();
    Op done = invoke(n.operation, ctx);
    ctx.now = t.clock.now();
    {
      std::lock_guard g(t.lock);
      t.gen.update(ctx, done);
    }
    if (ctx.thread != kNemesisThread && done.type == OpType::info) ctx.process += ctx.threads;
  }
}

}  // namespace eclat::gen
