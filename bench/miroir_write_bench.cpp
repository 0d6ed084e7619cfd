// Write throughput through the orchestrator: a local cluster of miroir-nodes
// (groups of 3) behind one miroir-orchestrator on 127.0.0.1, and one client
// process whose threads each loop AddDocuments(1 document) then
// GetTask(long poll) until the task succeeded: the acknowledged-write rate a
// workload sees. Each run is a fresh cluster; the median run is reported.
//   miroir_write_bench [--threads 10] [--seconds 5] [--rf 1] [--groups 1] [--runs 3] [--docs-per-write 1]
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/miroir_test_util.hpp"

using namespace std::chrono;

struct RunFigures {
  double writes_per_s = 0, p50 = 0, p99 = 0;
  uint64_t failed = 0;
};

RunFigures run_once(int run, int threads, int seconds, uint32_t rf, uint32_t groups, int docs_per_write) {
  miroir::test::LocalCluster cluster("bench-" + std::to_string(run), static_cast<int>(3 * groups), rf, 16, groups);
  std::atomic<uint64_t> ok{0}, failed{0};
  std::mutex mu;
  std::vector<double> latencies_ms;
  const auto end = steady_clock::now() + std::chrono::seconds(seconds);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      auto stub = cluster.stub();  // one channel per thread, as a harness worker has
      std::vector<double> mine;
      for (uint64_t i = 0; steady_clock::now() < end; ++i) {
        auto t0 = steady_clock::now();
        miroir::WriteRequest req;
        for (int d = 0; d < docs_per_write; ++d)
          req.add_documents("{\"id\":\"w" + std::to_string(t) + "-" + std::to_string(i) + "-" +
                            std::to_string(d) + "\",\"v\":" + std::to_string(i) + "}");
        miroir::WriteReply w;
        grpc::ClientContext c1;
        miroir::set_deadline(c1, std::chrono::seconds(5));
        if (!stub->AddDocuments(&c1, req, &w).ok() || !w.error_code().empty()) {
          ++failed;
          continue;
        }
        miroir::TaskRequest tr;
        tr.set_task_id(w.task_id());
        tr.set_wait_ms(5000);
        miroir::TaskReply r;
        grpc::ClientContext c2;
        miroir::set_deadline(c2, std::chrono::seconds(10));
        if (!stub->GetTask(&c2, tr, &r).ok() || r.status() != "succeeded") {
          ++failed;
          continue;
        }
        ++ok;
        mine.push_back(duration<double, std::milli>(steady_clock::now() - t0).count());
      }
      std::lock_guard lock(mu);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  for (auto& w : workers) w.join();

  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) {
    return latencies_ms.empty() ? 0.0 : latencies_ms[std::min(latencies_ms.size() - 1, size_t(p * latencies_ms.size()))];
  };
  return {ok.load() / double(seconds), pct(0.5), pct(0.99), failed.load()};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int main(int argc, char** argv) {
  int threads = 10, seconds = 5, docs_per_write = 1, runs = 3;
  uint32_t rf = 1, groups = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    int v = std::atoi(argv[i + 1]);
    if (k == "--threads") threads = v;
    else if (k == "--seconds") seconds = v;
    else if (k == "--rf") rf = static_cast<uint32_t>(v);
    else if (k == "--groups") groups = static_cast<uint32_t>(v);
    else if (k == "--runs") runs = v;
    else if (k == "--docs-per-write") docs_per_write = v;
    else {
      std::cerr << "usage: miroir_write_bench [--threads N] [--seconds S] [--rf R] [--groups G] [--runs N]"
                   " [--docs-per-write D]\n";
      return 2;
    }
  }
  if (threads < 1 || seconds < 1 || runs < 1 || rf < 1 || rf > 3 || groups < 1 || docs_per_write < 1) {
    std::cerr << "miroir_write_bench: values must be positive, --rf at most 3 (groups have 3 nodes)\n";
    return 2;
  }
  miroir::init_grpc_process();
  std::printf("miroir write bench: %u group(s) of 3 nodes, RF=%u, %d client threads, %d s per run, %d doc(s)/write\n",
              groups, rf, threads, seconds, docs_per_write);
  std::vector<double> rate, p50, p99;
  for (int r = 1; r <= runs; ++r) {
    RunFigures f = run_once(r, threads, seconds, rf, groups, docs_per_write);
    std::printf("  run %d: %.0f acknowledged writes/s, p50 %.1f ms, p99 %.1f ms, %llu failed\n", r, f.writes_per_s,
                f.p50, f.p99, static_cast<unsigned long long>(f.failed));
    rate.push_back(f.writes_per_s);
    p50.push_back(f.p50);
    p99.push_back(f.p99);
  }
  std::printf("median of %d: %.0f acknowledged writes/s (AddDocuments + task succeeded), p50 %.1f ms, p99 %.1f ms\n",
              runs, median(rate), median(p50), median(p99));
  return 0;
}
