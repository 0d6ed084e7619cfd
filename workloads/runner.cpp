#include "workloads/runner.hpp"

#include <mutex>
#include <thread>
#include <vector>

#include "cluster/system.hpp"
#include "core/log.hpp"
#include "generator/combinators.hpp"
#include "generator/driver.hpp"
#include "generator/simulate.hpp"

namespace eclat {

void HistoryRecorder::saw_process(int64_t p) {
  int64_t next = next_process_.load();
  while (p >= next && !next_process_.compare_exchange_weak(next, p + 1)) {
  }
}

Op HistoryRecorder::run(Client& client, Op invocation, int64_t process) {
  saw_process(process);
  invocation.type = OpType::invoke;
  invocation.process = process;
  invocation.error.clear();
  Op invoked = writer_.record(invocation);
  Op done;
  try {
    done = client.invoke(invoked);
  } catch (const std::exception& e) {
    // A client that throws does not know what happened.
    done = invoked;
    done.type = OpType::info;
    done.error = std::string("client exception: ") + e.what();
  }
  done.process = process;
  done.f = invoked.f;
  done.key = invoked.key;
  if (done.type == OpType::invoke) done.type = OpType::info;
  return writer_.record(done);
}

gen::GenPtr standard_client_generator(const MainPhase& phase, gen::GenPtr source) {
  return gen::time_limit(phase.time_limit_s,
                         gen::each_thread(gen::stagger(phase.concurrency / phase.rate, std::move(source))));
}

gen::GenPtr Workload::generator(const MainPhase& phase) {
  return standard_client_generator(
      phase, gen::from_fn([this](const gen::Context& ctx) { return next(ctx.thread, ctx.random()); }));
}

void run_main_phase(const MainPhase& phase, Workload& workload, System& system, HistoryRecorder& recorder,
                    const std::atomic<bool>& stop, gen::Clock& clock) {
  gen::GenPtr generator = workload.generator(phase);
  std::mutex lock;
  const double started = clock.now();
  std::vector<std::thread> workers;
  for (int w = 0; w < phase.concurrency; ++w) {
    workers.emplace_back([&, w] {
      std::mt19937_64 rng = gen::worker_rng(phase.seed, w);
      auto client = system.client(w);
      gen::Context ctx{clock.now(), w, phase.concurrency, w, &rng};
      gen::drive({*generator, lock, clock, ctx}, [&] { return stop.load(); },
                 [&](const Op& invocation, const gen::Context& c) { return recorder.run(*client, invocation, c.process); });
    });
  }
  for (auto& t : workers) t.join();
  ECLAT_LOG(info, "workload") << "main phase over after " << clock.now() - started << " s";
}

}  // namespace eclat
