// serve_runs_bench [RUNS=10000] [REPEAT=5]: eclat serve's runs list over a
// generated results directory of RUNS run directories (results.json and
// scenario.json shaped as a real run writes them, a few KB each). Prints the
// median of REPEAT for: the first walk without the index cache (every
// results.json read), a server start with the cache, a walk that finds
// nothing changed (what the server repeats every 2 s), the first page, and
// filters. The list's requests are answered from the in-memory index, so
// these are the figures a browser waits for, less the loopback round trip.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/serve/run_index.hpp"

namespace fs = std::filesystem;
using eclat::serve::RunFilter;
using eclat::serve::RunIndex;

namespace {

double median_ms(int repeat, const std::function<void()>& f) {
  std::vector<double> ms;
  for (int i = 0; i < repeat; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

void generate(const fs::path& root, int runs) {
  std::mt19937 rng(7);
  const char* workloads[] = {"set", "register", "queue", "append"};
  const char* faults[] = {"kill", "partition", "pause", "clock", "packet"};
  for (int i = 0; i < runs; ++i) {
    char ts[32];
    snprintf(ts, sizeof ts, "2026%02d%02dT%02d%02d%02dZ", 1 + i % 12, 1 + i % 28, i % 24, i % 60, (i / 60) % 60);
    char iso[32];
    snprintf(iso, sizeof iso, "2026-%02d-%02dT%02d:%02d:%02d.000Z", 1 + i % 12, 1 + i % 28, i % 24, i % 60, (i / 60) % 60);
    const std::string name = std::string("miroir-") + workloads[i % 4] + "-" + std::to_string(i % 50);
    const fs::path dir = root / name / (std::string(ts) + "-" + std::to_string(i));
    fs::create_directories(dir);
    const bool invalid = rng() % 10 == 0;
    nlohmann::json checkers;
    for (const char* c : {"lost-writes", "stats", "perf", "timeline", "partitions"})
      checkers[c] = {{"valid", !(invalid && std::string(c) == "lost-writes")},
                     {"summary", "a line of summary for this checker, as long as a real one is"},
                     {"lost_count", invalid && std::string(c) == "lost-writes" ? 12 : 0},
                     {"lost", nlohmann::json::array({1, 2, 3, 4, 5, 6, 7, 8, 9, 10})}};
    nlohmann::json res = {{"valid", !invalid},
                          {"checkers", checkers},
                          {"run", {{"seed", rng()}, {"name", name}, {"total_s", 30.5}, {"client_operations", 20000},
                                   {"identity", {{"started_utc", std::string(iso)}}}}}};
    std::ofstream(dir / "results.json") << res.dump(2);
    std::ofstream(dir / "scenario.json")
        << nlohmann::json{{"name", name}, {"system", "miroir"}, {"workload", workloads[i % 4]},
                          {"nemesis", {faults[i % 5], faults[(i / 5) % 5]}}, {"seed", 1}}
               .dump(2);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int repeat = argc > 2 ? std::atoi(argv[2]) : 5;
  const fs::path root = fs::temp_directory_path() / ("serve-runs-bench-" + std::to_string(getpid()));
  fs::remove_all(root);
  printf("generating %d run directories in %s\n", runs, root.c_str());
  generate(root, runs);
  const fs::path canon = fs::canonical(root);
  const double cold = median_ms(repeat, [&] {
    fs::remove(canon / ".eclat-serve-index.json");
    RunIndex idx(canon);
    idx.refresh();
  });
  const double warm = median_ms(repeat, [&] {
    RunIndex idx(canon);  // the cache file the last cold walk wrote
    idx.refresh();
  });
  RunIndex idx(canon);
  idx.refresh();
  const double rewalk = median_ms(repeat, [&] { idx.refresh(); });
  auto snap = idx.snapshot();
  auto query = [&](RunFilter f, size_t* matched) {
    return median_ms(repeat, [&] {
      const nlohmann::json page = eclat::serve::query_runs(*snap, f);
      *matched = page["matched"];
      (void)page.dump();  // the response body
    });
  };
  size_t m = 0;
  printf("%-44s %10s %8s\n", "", "ms", "matched");
  printf("%-44s %10.1f %8zu\n", "first walk, no cache (reads every results.json)", cold, snap->runs.size());
  printf("%-44s %10.1f %8zu\n", "server start with the cache file", warm, snap->runs.size());
  printf("%-44s %10.1f %8s\n", "walk again, nothing changed (every 2 s)", rewalk, "");
  const double first = query(RunFilter{}, &m);
  printf("%-44s %10.2f %8zu\n", "first page (50, newest first)", first, m);
  RunFilter inv;
  inv.verdicts = {"invalid"};
  const double t_inv = query(inv, &m);
  printf("%-44s %10.2f %8zu\n", "verdict=invalid", t_inv, m);
  RunFilter combo;
  combo.workload = "set";
  combo.fault = "partition";
  combo.name = "SET";
  combo.from = "2026-03";
  combo.to = "2026-09-30";
  const double t_combo = query(combo, &m);
  printf("%-44s %10.2f %8zu\n", "workload+fault+name+date range", t_combo, m);
  RunFilter sorted;
  sorted.sort = "lost";
  sorted.page = 20;
  const double t_sort = query(sorted, &m);
  printf("%-44s %10.2f %8zu\n", "sorted by lost, page 20", t_sort, m);
  fs::remove_all(root);
  return 0;
}
