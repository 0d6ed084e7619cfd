// Harness benchmark: runs the default chaos test several times and prints the
// median time from `eclat test` start to a ready 3-node cluster, the client
// operations per second achieved, and the end-to-end time of the run.
//   build/bench/harness_bench [RUNS=3] [TIME_LIMIT=30] [extra eclat test flags...]
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::stoi(argv[1]) : 3;
  std::string limit = argc > 2 ? argv[2] : "30";
  std::string extra;
  for (int i = 3; i < argc; ++i) extra += std::string(" ") + argv[i];
  fs::path results = fs::temp_directory_path() / ("eclat-bench-" + std::to_string(getpid()));
  std::vector<double> ready, ops, total, wall;
  for (int i = 0; i < runs; ++i) {
    std::string cmd = std::string(ECLAT_BINARY) + " test --name bench --time-limit " + limit +
                      " --seed " + std::to_string(i + 1) + " --results " + results.string() + extra +
                      " > /dev/null 2>&1";
    auto t0 = std::chrono::steady_clock::now();
    int status = std::system(cmd.c_str());
    double w = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::ifstream in(results / "bench" / "latest" / "results.json");
    if (!in) {
      fprintf(stderr, "run %d produced no results.json (status %d)\n", i + 1, status);
      return 1;
    }
    auto j = nlohmann::json::parse(in);
    const auto& run = j["run"];
    ready.push_back(run["cluster_ready_s"].get<double>());
    ops.push_back(run["operations_per_s"].get<double>());
    total.push_back(run["total_s"].get<double>());
    wall.push_back(w);
    printf("run %d: verdict %s, cluster ready %.2f s, %.0f ops/s, %d ops, run %.1f s (wall %.1f s)\n",
           i + 1, j["valid"].dump().c_str(), ready.back(), ops.back(),
           run["client_operations"].get<int>(), total.back(), w);
  }
  printf("median of %d runs (--time-limit %s): cluster ready %.2f s, %.0f ops/s, end to end %.1f s\n",
         runs, limit.c_str(), median(ready), median(ops), median(wall));
  fs::remove_all(results);
  return 0;
}
