// eclat serve's history search: writes a register history (read, write and
// cas over 1000 keys from 20 processes, invoke then ok, fail or info, and a
// nemesis now and then), then times building its index and a few queries a
// browser sends. Prints the median of several runs.
//   build/bench/serve_history_bench [OPERATIONS=1000000] [RUNS=5]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "cli/serve/history_search.hpp"

using namespace eclat;
using namespace eclat::serve;
namespace fs = std::filesystem;

// Resident memory now (ru_maxrss is the peak, the file mapped while indexing).
static double rss_mb() {
  long pages = 0, resident = 0;
  if (FILE* f = fopen("/proc/self/statm", "r")) {
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(f);
  }
  return resident * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1e6;
}

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

template <class F>
static double seconds(F&& f) {
  auto a = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
}

// Lines as HistoryWriter writes them (Op::to_json().dump()), written in one
// stream: the writer's clock would make the times depend on the machine.
static void write_history(const fs::path& file, int64_t operations) {
  std::ofstream out(file, std::ios::binary);
  std::mt19937_64 rng(7);
  const char* fs[] = {"read", "write", "cas"};
  int64_t index = 0, time = 0;
  while (index < operations) {
    time += 50'000 + static_cast<int64_t>(rng() % 100'000);  // ~10 000 ops/s
    Op op;
    if (rng() % 500 == 0) {
      op.process = kNemesisProcess;
      op.f = rng() % 2 ? "start-partition" : "stop-partition";
      op.value = rng() % 2 ? nlohmann::json("majority") : nlohmann::json(nullptr);
    } else {
      op.process = static_cast<int64_t>(rng() % 20);
      op.f = fs[rng() % 3];
      op.key = std::to_string(rng() % 1000);
      if (op.f == "write") op.value = static_cast<int64_t>(rng() % 100);
      if (op.f == "cas") op.value = {static_cast<int64_t>(rng() % 100), static_cast<int64_t>(rng() % 100)};
    }
    op.index = index++;
    op.time = time;
    out << op.to_json().dump() << '\n';
    if (index >= operations) break;
    const uint64_t r = rng() % 100;
    op.type = r < 80 ? OpType::ok : r < 95 ? OpType::fail : OpType::info;
    if (op.type == OpType::fail) op.error = "timeout";
    if (op.f == "read" && op.type == OpType::ok) op.value = static_cast<int64_t>(rng() % 100);
    op.index = index++;
    op.time = time + 1'000 + static_cast<int64_t>(rng() % 5'000'000);
    out << op.to_json().dump() << '\n';
  }
}

int main(int argc, char** argv) {
  const int64_t operations = argc > 1 ? std::stoll(argv[1]) : 1'000'000;
  const int runs = argc > 2 ? std::stoi(argv[2]) : 5;
  const fs::path file = fs::temp_directory_path() / ("eclat-servebench-" + std::to_string(getpid()) + ".jsonl");
  double gen = seconds([&] { write_history(file, operations); });
  printf("history: %lld operations, %.0f MB, written in %.1f s\n", static_cast<long long>(operations),
         fs::file_size(file) / 1e6, gen);

  const double rss_before = rss_mb();
  std::vector<double> build_s;
  std::shared_ptr<const HistoryIndex> index;
  for (int i = 0; i < runs; ++i) {
    index.reset();  // the previous index's memory is freed outside the timing
    build_s.push_back(seconds([&] { index = HistoryIndex::build(file); }));
  }
  const double index_mb = rss_mb() - rss_before;
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);

  struct Case {
    const char* name;
    HistoryQuery q;
  };
  std::vector<Case> cases;
  auto add = [&](const char* name, std::function<void(HistoryQuery&)> set) {
    HistoryQuery q;
    set(q);
    cases.push_back({name, q});
  };
  add("key 25", [](HistoryQuery& q) { q.key = "25"; });
  add("process 3", [](HistoryQuery& q) { q.process = "3"; });
  add("process nemesis", [](HistoryQuery& q) { q.process = "nemesis"; });
  add("f cas, type fail", [](HistoryQuery& q) { q.f = "cas"; q.type = OpType::fail; });
  add("value contains \"42\"", [](HistoryQuery& q) { q.value = "42"; });
  add("time 4 s .. 6 s", [](HistoryQuery& q) { q.from_s = 4.0; q.to_s = 6.0; });
  add("key 25, f write, 10..60 s, \"7\"", [](HistoryQuery& q) {
    q.key = "25"; q.f = "write"; q.from_s = 10.0; q.to_s = 60.0; q.value = "7";
  });
  add("unknown key", [](HistoryQuery& q) { q.key = "no such key"; });
  add("no filter, page 1000", [](HistoryQuery& q) { q.offset = 999 * 100; q.limit = 100; });

  printf("\n%-34s %12s %10s\n", "", "median ms", "matched");
  printf("%-34s %12.1f %10zu\n", "index build", median(build_s) * 1e3, index->operations());
  for (const Case& c : cases) {
    std::vector<double> t;
    HistoryPage page;
    for (int i = 0; i < runs; ++i) t.push_back(seconds([&] { page = index->query(c.q); }));
    printf("%-34s %12.2f %10zu\n", c.name, median(t) * 1e3, page.matched);
  }
  printf("\nindex in memory ~%.0f MB; peak RSS %.0f MB (the file is mapped while it is indexed)\n", index_mb,
         ru.ru_maxrss / 1024.0);
  fs::remove(file);
}
