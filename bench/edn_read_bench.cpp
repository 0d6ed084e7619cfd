// EDN history reader benchmark: writes the same N-operation register history
// (cas-register operations on 100 keys, a few percent info, nemesis
// operations whose values are sets) as Jepsen EDN, one operation per line as
// jepsen.history writes it (#jepsen.history.Op{...}), and as Éclat JSON
// Lines, then times reading each as `eclat check` does (read_any_history:
// the file mapped, every line an Op). Prints the median of several runs, the
// rate, and the peak memory.
//   build/bench/edn_read_bench [OPERATIONS=10000000] [RUNS=3]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "checker/linearizability/formats.hpp"

using namespace eclat;
namespace fs = std::filesystem;

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int main(int argc, char** argv) {
  const int64_t operations = argc > 1 ? std::stoll(argv[1]) : 10'000'000;
  const int runs = argc > 2 ? std::stoi(argv[2]) : 3;
  const std::string stem = (fs::temp_directory_path() / ("eclat-ednbench-" + std::to_string(getpid()))).string();
  const fs::path edn = stem + ".edn", jsonl = stem + ".jsonl";
  {
    std::ofstream e(edn), j(jsonl);
    std::mt19937_64 rng(7);
    const int processes = 10;
    std::vector<std::string> open_f(processes), open_v(processes);
    std::vector<int> open_k(processes, -1);
    for (int64_t i = 0; i < operations; ++i) {
      const int64_t t = i * 1000;
      if (i % 1000 == 999) {  // the nemesis, with a set as its value
        e << "#jepsen.history.Op{:index " << i << ", :time " << t
          << ", :type :info, :process :nemesis, :f :start-partition, :value #{\"n1\" \"n2\"}}\n";
        j << "{\"index\":" << i << ",\"time\":" << t
          << ",\"type\":\"info\",\"process\":\"nemesis\",\"f\":\"start-partition\",\"value\":[\"n1\",\"n2\"]}\n";
        continue;
      }
      const int p = static_cast<int>(rng() % processes);
      std::string type, f, v;
      int k;
      if (open_k[p] < 0) {
        k = static_cast<int>(rng() % 100);
        switch (rng() % 3) {
          case 0: f = "read"; v = "nil"; break;
          case 1: f = "write"; v = std::to_string(rng() % 5); break;
          default: f = "cas"; v = "[" + std::to_string(rng() % 5) + " " + std::to_string(rng() % 5) + "]"; break;
        }
        type = "invoke";
        open_k[p] = k;
        open_f[p] = f;
        open_v[p] = v;
      } else {
        k = open_k[p];
        f = open_f[p];
        v = f == "read" ? std::to_string(rng() % 5) : open_v[p];
        type = rng() % 50 == 0 ? "info" : "ok";
        open_k[p] = -1;
      }
      std::string jv = v == "nil" ? "null" : v;
      std::replace(jv.begin(), jv.end(), ' ', ',');
      e << "#jepsen.history.Op{:index " << i << ", :time " << t << ", :type :" << type << ", :process " << p
        << ", :f :" << f << ", :key \"" << k << "\", :value " << v << "}\n";
      j << "{\"index\":" << i << ",\"time\":" << t << ",\"type\":\"" << type << "\",\"process\":" << p
        << ",\"f\":\"" << f << "\",\"key\":\"" << k << "\",\"value\":" << jv << "}\n";
    }
  }
  printf("%lld operations: %s %.0f MB, %s %.0f MB\n", static_cast<long long>(operations), edn.filename().c_str(),
         fs::file_size(edn) / 1e6, jsonl.filename().c_str(), fs::file_size(jsonl) / 1e6);
  for (const fs::path& file : {edn, jsonl}) {
    std::vector<double> secs;
    size_t n = 0;
    for (int r = 0; r < runs; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      ReadResult h = lin::read_any_history(file);
      secs.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      n = h.history.size();
    }
    const double m = median(secs);
    printf("%-6s %zu operations read in %.2f s (median of %d), %.2f M operations/s\n",
           file.extension() == ".edn" ? "edn" : "jsonl", n, m, runs, n / m / 1e6);
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  printf("peak memory %.0f MB\n", ru.ru_maxrss / 1024.0);
  fs::remove(edn);
  fs::remove(jsonl);
  return 0;
}
