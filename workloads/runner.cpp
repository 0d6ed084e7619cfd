#include "workloads/runner.hpp"

#include <chrono>
#include <thread>
#include <vector>

#include "cluster/systems/system.hpp"
#include "core/log.hpp"

namespace eclat {

Op HistoryRecorder::run(Client& client, Op invocation, int64_t process) {
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

void run_main_phase(const MainPhase& phase, Workload& workload, System& system,
                    HistoryRecorder& recorder, const std::atomic<bool>& stop) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  const auto deadline = start + std::chrono::duration_cast<clock::duration>(
                                    std::chrono::duration<double>(phase.time_limit_s));
  // Each worker waits a uniform random time in [0, 2 * mean) between the
  // starts of its operations (Jepsen's stagger): on average the workers
  // together invoke `rate` operations per second.
  const double mean_gap_s = phase.concurrency / phase.rate;

  std::vector<std::thread> workers;
  for (int w = 0; w < phase.concurrency; ++w) {
    workers.emplace_back([&, w] {
      std::mt19937_64 rng(phase.seed * 1000003 + static_cast<uint64_t>(w));
      std::uniform_real_distribution<double> gap(0, 2 * mean_gap_s);
      auto client = system.client(w);
      int64_t process = w;
      auto next_start = start + std::chrono::duration_cast<clock::duration>(
                                    std::chrono::duration<double>(gap(rng)));
      while (!stop.load()) {
        auto now = clock::now();
        if (next_start > now) std::this_thread::sleep_until(std::min(next_start, deadline));
        if (stop.load() || clock::now() >= deadline) break;
        next_start += std::chrono::duration_cast<clock::duration>(
            std::chrono::duration<double>(gap(rng)));
        // Never try to catch up a backlog in a burst.
        if (next_start < clock::now()) next_start = clock::now();
        Op done = recorder.run(*client, workload.next(w, rng), process);
        if (done.type == OpType::info) process = recorder.fresh_process();
      }
    });
  }
  for (auto& t : workers) t.join();
  ECLAT_LOG(info, "workload") << "main phase over after "
                              << std::chrono::duration<double>(clock::now() - start).count()
                              << " s";
}

}  // namespace eclat
