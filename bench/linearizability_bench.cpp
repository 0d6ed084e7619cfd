// The linearizability checker against the public histories Porcupine is
// tested with (../shared/data/histories/porcupine): for each file, parse
// time, check time (median of N runs) on one thread and on every core,
// configurations explored, peak memory (the process's, each file measured in
// a child process of its own), and the verdict against EXPECTED.tsv. Then
// the kv histories as one partition (no split by key).
//
//   linearizability_bench [--runs N] [--dir DIR] [--only SUBSTRING] [--no-one-partition]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "checker/linearizability/formats.hpp"
#include "checker/linearizability/linearizable.hpp"

namespace fs = std::filesystem;
using namespace eclat::lin;
using Clock = std::chrono::steady_clock;

namespace {

struct Figures {
  double parse_s = 0, check1_s = 0, checkn_s = 0;
  uint64_t configurations = 0;
  long peak_kb = 0;
  std::string verdict;
  size_t ops = 0, parts = 0;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::string verdict_of(Outcome o) {
  return o == Outcome::linearizable ? "linearizable"
         : o == Outcome::not_linearizable ? "NOT_linearizable" : "unknown";
}

// Runs in a child: parse and check `runs` times, write the figures to fd.
void measure(const fs::path& file, const std::string& model, int runs, bool split,
             double time_limit, int64_t memory, int fd) {
  Figures f;
  std::vector<double> parse, one, all;
  std::vector<LinOp> ops;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    auto read = read_any_history(file);
    ops = pair_operations(read.history, read.lines, file.string());
    parse.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  for (unsigned threads : {1u, 0u}) {
    for (int i = 0; i < runs; ++i) {
      CheckOptions o;
      o.model = model;
      o.threads = threads;
      o.split = split;
      o.counterexample = false;  // the check alone, as Porcupine's figures
      o.time_limit_s = time_limit;
      o.memory_limit = memory;
      Report r = check_operations(ops, o);
      (threads == 1 ? one : all).push_back(r.seconds);
      f.configurations = r.configurations;
      f.verdict = verdict_of(r.outcome);
      if (r.outcome == Outcome::unknown)
        for (const auto& p : r.parts)
          if (p.outcome == Outcome::unknown) f.verdict = "unknown(" + p.cause + ")";
      f.ops = r.ops;
      f.parts = r.parts.size();
    }
    if (!split) break;  // one partition: one thread is all there is
  }
  f.parse_s = median(parse);
  f.check1_s = median(one);
  f.checkn_s = all.empty() ? f.check1_s : median(all);
  std::ostringstream out;
  out << f.parse_s << " " << f.check1_s << " " << f.checkn_s << " " << f.configurations << " "
      << f.ops << " " << f.parts << " " << f.verdict << "\n";
  std::string s = out.str();
  if (write(fd, s.data(), s.size()) < 0) _exit(1);
}

Figures run_child(const fs::path& file, const std::string& model, int runs, bool split,
                  double time_limit = 0, int64_t memory = 0) {
  int p[2];
  if (pipe(p) != 0) {
    perror("pipe");
    exit(1);
  }
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    measure(file, model, runs, split, time_limit, memory, p[1]);
    _exit(0);
  }
  close(p[1]);
  std::string text;
  char buf[512];
  ssize_t n;
  while ((n = read(p[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  close(p[0]);
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  Figures f;
  std::istringstream in(text);
  in >> f.parse_s >> f.check1_s >> f.checkn_s >> f.configurations >> f.ops >> f.parts;
  std::getline(in >> std::ws, f.verdict);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) f.verdict = "CRASHED";
  f.peak_kb = ru.ru_maxrss;
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  fs::path dir = fs::path(ECLAT_SHARED_DIR) / "data/histories/porcupine";
  std::string only;
  bool one_partition = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc) runs = std::max(1, atoi(argv[++i]));
    else if (a == "--dir" && i + 1 < argc) dir = argv[++i];
    else if (a == "--only" && i + 1 < argc) only = argv[++i];
    else if (a == "--no-one-partition") one_partition = false;
    else {
      fprintf(stderr, "usage: %s [--runs N] [--dir DIR] [--only SUBSTRING] [--no-one-partition]\n", argv[0]);
      return 2;
    }
  }
  std::map<std::string, std::string> expected;
  {
    std::ifstream in(dir / "EXPECTED.tsv");
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream ls(line);
      std::string file, verdict;
      ls >> file >> verdict;
      expected[file] = verdict;
    }
  }
  std::vector<std::string> files;
  for (const char* sub : {"jepsen", "kv"})
    for (const auto& e : fs::directory_iterator(dir / sub))
      files.push_back(std::string(sub) + "/" + e.path().filename().string());
  std::sort(files.begin(), files.end());
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  printf("linearizability benchmark: %s, median of %d, %u cores\n", dir.c_str(), runs, cores);
  printf("%-22s %6s %5s %9s %10s %10s %12s %9s  %s\n", "file", "ops", "parts", "parse ms",
         "check1 ms", "checkN ms", "configs", "peak MB", "verdict");
  double etcd_total1 = 0, etcd_totalN = 0, etcd_parse = 0, kv_total1 = 0, kv_totalN = 0;
  int wrong = 0;
  for (const auto& file : files) {
    if (!only.empty() && file.find(only) == std::string::npos) continue;
    bool kv = file.rfind("kv/", 0) == 0;
    Figures f = run_child(dir / file, kv ? "kv" : "cas-register", runs, true, 60, int64_t{2} << 30);
    std::string exp = expected.count(file) ? expected[file] : "";
    bool right = exp.empty() || exp == "NO_TEST" ? f.verdict == "linearizable" : f.verdict == exp;
    if (!right) ++wrong;
    printf("%-22s %6zu %5zu %9.3f %10.3f %10.3f %12llu %9.1f  %s%s\n", file.c_str(), f.ops, f.parts,
           f.parse_s * 1e3, f.check1_s * 1e3, f.checkn_s * 1e3,
           static_cast<unsigned long long>(f.configurations), f.peak_kb / 1024.0, f.verdict.c_str(),
           right ? "" : ("  (expected " + (exp.empty() ? std::string("none") : exp) + ")").c_str());
    if (kv) {
      kv_total1 += f.check1_s;
      kv_totalN += f.checkn_s;
    } else {
      etcd_total1 += f.check1_s;
      etcd_totalN += f.checkn_s;
      etcd_parse += f.parse_s;
    }
  }
  printf("\nall etcd logs: check %.1f ms on 1 thread, %.1f ms on %u cores; parse %.1f ms\n",
         etcd_total1 * 1e3, etcd_totalN * 1e3, cores, etcd_parse * 1e3);
  printf("all kv histories (split by key): check %.1f ms on 1 thread, %.1f ms on %u cores\n",
         kv_total1 * 1e3, kv_totalN * 1e3, cores);
  printf("verdicts different from EXPECTED.tsv: %d\n", wrong);

  if (one_partition) {
    printf("\nkv as ONE partition (map state, no split by key; 60 s and 2 GB budget):\n");
    printf("%-22s %10s %12s %9s  %s\n", "file", "check ms", "configs", "peak MB", "verdict");
    for (const char* file : {"kv/c01-ok.txt", "kv/c01-bad.txt", "kv/c10-ok.txt", "kv/c10-bad.txt",
                             "kv/c50-ok.txt", "kv/c50-bad.txt"}) {
      if (!only.empty() && std::string(file).find(only) == std::string::npos) continue;
      bool big = std::string(file).find("c50") != std::string::npos;
      Figures f = run_child(dir / file, "kv", big ? 1 : runs, false, 60, int64_t{2} << 30);
      printf("%-22s %10.1f %12llu %9.1f  %s\n", file, f.check1_s * 1e3,
             static_cast<unsigned long long>(f.configurations), f.peak_kb / 1024.0, f.verdict.c_str());
    }
  }
  return wrong == 0 ? 0 : 1;
}
