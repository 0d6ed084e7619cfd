// Search latency through the orchestrator: a local cluster of 6 miroir-nodes
// (2 replica groups × 3 nodes, RF=2, 16 shards) behind one
// miroir-orchestrator on 127.0.0.1, loaded with a corpus of short documents
// (a few words from a 200-word vocabulary, a color, a number), then one
// client asking queries back to back: one or two words, a third of them with
// a facet, page of 20. Prints the median and p99 latency of each run and the
// median of the runs.
//   miroir_search_bench [--docs 20000] [--queries 400] [--runs 5]
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <random>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/miroir_test_util.hpp"

using namespace std::chrono;

namespace {

std::vector<std::string> vocabulary() {
  std::vector<std::string> words;
  const char* syll[] = {"ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "pe", "su"};
  for (int a = 0; a < 10; ++a)
    for (int b = 0; b < 10; ++b)
      for (int c = 0; c < 2; ++c) words.push_back(std::string(syll[a]) + syll[b] + (c ? "n" : ""));
  return words;  // 200 words
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

double median(std::vector<double> v) { return percentile(std::move(v), 0.5); }

}  // namespace

int main(int argc, char** argv) {
  int docs = 20000, queries = 400, runs = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    int v = std::atoi(argv[i + 1]);
    if (k == "--docs") docs = v;
    else if (k == "--queries") queries = v;
    else if (k == "--runs") runs = v;
    else {
      std::cerr << "usage: miroir_search_bench [--docs N] [--queries Q] [--runs R]\n";
      return 2;
    }
  }
  miroir::init_grpc_process();
  miroir::test::LocalCluster cluster("search-bench", 6, /*rf=*/2, /*shards=*/16, /*groups=*/2);
  auto stub = cluster.stub();
  const auto words = vocabulary();
  const char* colors[] = {"red", "green", "blue", "black", "white"};
  std::mt19937_64 rng(42);

  // Load, 1000 documents per write, each write waited for.
  auto t0 = steady_clock::now();
  for (int i = 0; i < docs; i += 1000) {
    miroir::WriteRequest req;
    for (int k = i; k < std::min(docs, i + 1000); ++k) {
      std::string title;
      for (int w = 0, n = 3 + static_cast<int>(rng() % 4); w < n; ++w)
        title += (w ? " " : "") + words[rng() % words.size()];
      req.add_documents(nlohmann::json{{"id", "d" + std::to_string(k)}, {"title", title},
                                       {"color", colors[rng() % 5]}, {"n", k}}.dump());
    }
    miroir::WriteReply w;
    grpc::ClientContext c1;
    miroir::set_deadline(c1, seconds(30));
    if (!stub->AddDocuments(&c1, req, &w).ok() || !w.error_code().empty()) {
      std::cerr << "load failed: " << w.error_code() << " " << w.error_message() << "\n";
      return 1;
    }
    miroir::TaskRequest tr;
    tr.set_task_id(w.task_id());
    tr.set_wait_ms(30000);
    miroir::TaskReply t;
    grpc::ClientContext c2;
    miroir::set_deadline(c2, seconds(40));
    if (!stub->GetTask(&c2, tr, &t).ok() || t.status() != "succeeded") {
      std::cerr << "load task did not succeed: " << t.status() << " " << t.error() << "\n";
      return 1;
    }
  }
  double load_s = duration<double>(steady_clock::now() - t0).count();

  std::printf("miroir search bench: 6 nodes (RG=2, RF=2, S=16), %d documents loaded in %.1f s"
              " (%.0f docs/s)\n",
              docs, load_s, docs / load_s);
  std::vector<double> medians, p99s;
  uint64_t hits_seen = 0;
  for (int run = 0; run < runs + 1; ++run) {  // run 0 warms up and is not counted
    std::vector<double> ms;
    for (int i = 0; i < queries; ++i) {
      miroir::SearchRequest req;
      std::string q = words[rng() % words.size()];
      if (rng() % 2) q += " " + words[rng() % words.size()];
      req.set_query(q);
      req.set_limit(20);
      if (i % 3 == 0) req.add_facets("color");
      miroir::SearchReply r;
      grpc::ClientContext ctx;
      miroir::set_deadline(ctx, seconds(10));
      auto start = steady_clock::now();
      auto st = stub->Search(&ctx, req, &r);
      double took = duration<double, std::milli>(steady_clock::now() - start).count();
      if (!st.ok() || !r.error_code().empty() || r.degraded()) {
        std::cerr << "search failed: " << st.error_message() << " " << r.error_code() << "\n";
        return 1;
      }
      hits_seen += r.estimated_total_hits();
      ms.push_back(took);
    }
    if (run == 0) continue;
    medians.push_back(median(ms));
    p99s.push_back(percentile(ms, 0.99));
    std::printf("  run %d: %d queries, median %.2f ms, p99 %.2f ms\n", run, queries, medians.back(),
                p99s.back());
  }
  std::printf("  median of %d runs: median %.2f ms, p99 %.2f ms (%.0f matches per query on average)\n", runs,
              median(medians), median(p99s), static_cast<double>(hits_seen) / ((runs + 1.0) * queries));
  return 0;
}
