// set-full benchmark: writes a 10,000,000-operation set history (5M adds,
// invoke and completion each, a few percent info, 20 reads of the growing set
// during the run and a final read), then times checking it from the file as
// `eclat check FILE --checker lost-writes` does (set-full reads the file its
// own lean way). Prints the median of several runs and the peak memory.
// With "full" it also times the general path (every line into an Op, then the
// check), which report checkers such as the timeline need.
//   build/bench/set_full_bench [OPERATIONS=10000000] [RUNS=3] [full]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "checker/checker.hpp"
#include "history/history.hpp"

using namespace eclat;
namespace fs = std::filesystem;

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int main(int argc, char** argv) {
  const int64_t operations = argc > 1 ? std::stoll(argv[1]) : 10'000'000;
  const int runs = argc > 2 ? std::stoi(argv[2]) : 3;
  const bool full = argc > 3 && std::string(argv[3]) == "full";
  const int64_t adds = operations / 2;
  const fs::path file = fs::temp_directory_path() / ("eclat-setbench-" + std::to_string(getpid()) + ".jsonl");

  auto t0 = std::chrono::steady_clock::now();
  {
    // Written through the real writer, as a run would.
    HistoryWriter w(file);
    std::mt19937_64 rng(1);
    const int64_t read_every = adds / 20;
    for (int64_t e = 0; e < adds; ++e) {
      Op op;
      op.process = e % 10;
      op.f = "add";
      op.value = e;
      w.record(op);
      op.type = rng() % 50 == 0 ? OpType::info : OpType::ok;
      w.record(op);
      if ((e + 1) % read_every == 0 || e + 1 == adds) {
        Op r;
        r.process = 1000;
        r.f = "read";
        w.record(r);
        r.type = OpType::ok;
        r.value = nlohmann::json::array();
        for (int64_t x = 0; x <= e; ++x) r.value.push_back(x);
        w.record(r);
      }
    }
  }
  double gen = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  printf("history: %lld adds, %.0f MB, written in %.1f s\n", static_cast<long long>(adds),
         fs::file_size(file) / 1e6, gen);

  std::vector<double> lean_s, parse_s, check_s;
  std::string verdict;
  for (int i = 0; i < runs; ++i) {
    auto a = std::chrono::steady_clock::now();
    CheckContext ctx{HistorySource(file), nlohmann::json::object(), fs::temp_directory_path()};
    CheckResult res = make_checker("lost-writes")->check(ctx);
    lean_s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count());
    verdict = res.summary;
    printf("run %d: read and check from the file %.2f s\n", i + 1, lean_s.back());
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  printf("median of %d: %.2f s to read and check; peak RSS %.0f MB\n%s\n", runs, median(lean_s),
         ru.ru_maxrss / 1024.0, verdict.c_str());

  if (full) {
    for (int i = 0; i < runs; ++i) {
      auto a = std::chrono::steady_clock::now();
      ReadResult rr = read_history(file);
      auto b = std::chrono::steady_clock::now();
      CheckContext ctx{rr.history, nlohmann::json::object(), fs::temp_directory_path()};
      CheckResult res = make_checker("lost-writes")->check(ctx);
      auto c = std::chrono::steady_clock::now();
      parse_s.push_back(std::chrono::duration<double>(b - a).count());
      check_s.push_back(std::chrono::duration<double>(c - b).count());
      printf("full path run %d: parse into Ops %.2f s, check %.2f s\n", i + 1, parse_s.back(), check_s.back());
    }
    getrusage(RUSAGE_SELF, &ru);
    printf("full path median of %d: parse %.2f s, check %.2f s; peak RSS %.0f MB\n", runs, median(parse_s),
           median(check_s), ru.ru_maxrss / 1024.0);
  }
  if (std::getenv("ECLAT_BENCH_KEEP")) printf("history kept: %s\n", file.c_str());  // for profiling
  else fs::remove(file);
  return 0;
}
