// Migration speed: a local cluster of 3 miroir-nodes (RG=1, RF=1, S=16)
// behind one miroir-orchestrator on 127.0.0.1, loaded with --docs documents,
// then a 4th node added (no client writes meanwhile). Reported per run: the
// migration's wall time (AddNode answered -> phase complete), the time of
// its dual-write phase (the background copy), documents copied, and copied
// documents per second over the copy and over the whole migration. Each run
// is a fresh cluster; the median run is reported.
//   migration_bench [--docs 100000] [--runs 3] [--page-size 1000]
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/miroir_test_util.hpp"

using namespace std::chrono;

struct RunFigures {
  double load_s = 0, wall_s = 0, copy_s = 0;
  uint64_t copied = 0, shards = 0;
};

// Loads `docs` documents with 4 client threads, batches of 1000, each batch
// acknowledged (task succeeded) before the next.
void load(miroir::test::LocalCluster& cluster, int docs) {
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      auto stub = cluster.stub();
      for (int b; (b = next.fetch_add(1000)) < docs;) {
        miroir::WriteRequest req;
        for (int i = b; i < std::min(docs, b + 1000); ++i)
          req.add_documents("{\"id\":\"doc-" + std::to_string(i) + "\",\"title\":\"document number " +
                            std::to_string(i) + "\",\"n\":" + std::to_string(i) + "}");
        miroir::WriteReply w;
        grpc::ClientContext c1;
        miroir::set_deadline(c1, seconds(30));
        if (!stub->AddDocuments(&c1, req, &w).ok() || !w.error_code().empty()) {
          std::cerr << "load: write refused: " << w.error_message() << "\n";
          std::exit(1);
        }
        miroir::TaskRequest tr;
        tr.set_task_id(w.task_id());
        tr.set_wait_ms(30000);
        miroir::TaskReply r;
        grpc::ClientContext c2;
        miroir::set_deadline(c2, seconds(35));
        if (!stub->GetTask(&c2, tr, &r).ok() || r.status() != "succeeded") {
          std::cerr << "load: task " << w.task_id() << " " << r.status() << "\n";
          std::exit(1);
        }
      }
    });
  for (auto& t : threads) t.join();
}

RunFigures run_once(int run, int docs, int page_size) {
  miroir::test::ClusterOptions options{{3}, 1, 16, {"--copy-page-size", std::to_string(page_size)}};
  miroir::test::LocalCluster cluster("migration-bench-" + std::to_string(run), options);
  RunFigures f;
  auto t0 = steady_clock::now();
  load(cluster, docs);
  f.load_s = duration<double>(steady_clock::now() - t0).count();
  auto& n4 = cluster.start_extra_node("n4");

  // Phase changes as they happen (for the copy's duration).
  auto stub = cluster.stub();
  grpc::ClientContext watch_ctx;
  miroir::Empty empty;
  auto reader = stub->WatchMigrations(&watch_ctx, empty);
  std::mutex mu;
  std::map<std::string, steady_clock::time_point> phase_at;
  std::thread watcher([&] {
    for (miroir::PhaseEvent e; reader->Read(&e);)
      if (e.shard() < 0) {
        std::lock_guard lock(mu);
        phase_at.emplace(e.phase(), steady_clock::now());
      }
  });
  std::this_thread::sleep_for(milliseconds(100));

  miroir::NodeChangeRequest req;
  req.set_node("n4");
  req.set_address(n4.address());
  req.set_group(0);
  miroir::MigrationReply rep;
  const auto start = steady_clock::now();
  {
    grpc::ClientContext ctx;
    miroir::set_deadline(ctx, seconds(10));
    if (!stub->AddNode(&ctx, req, &rep).ok() || !rep.error_code().empty()) {
      std::cerr << "AddNode refused: " << rep.error_code() << " " << rep.error_message() << "\n";
      std::exit(1);
    }
  }
  miroir::MigrationStatus status;
  for (;;) {
    miroir::MigrationsRequest mr;
    mr.set_migration_id(rep.migration_id());
    miroir::MigrationsReply all;
    grpc::ClientContext ctx;
    miroir::set_deadline(ctx, seconds(5));
    if (stub->Migrations(&ctx, mr, &all).ok() && all.migrations_size() == 1) {
      status = all.migrations(0);
      if (status.phase() == "complete") break;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  f.wall_s = duration<double>(steady_clock::now() - start).count();
  watch_ctx.TryCancel();
  watcher.join();
  {
    std::lock_guard lock(mu);
    if (phase_at.count("dual-write") && phase_at.count("cutover"))
      f.copy_s = duration<double>(phase_at["cutover"] - phase_at["dual-write"]).count();
  }
  f.copied = status.counters().documents_copied();
  f.shards = static_cast<uint64_t>(status.shards_size());
  return f;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int main(int argc, char** argv) {
  int docs = 100000, runs = 3, page_size = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    int v = std::atoi(argv[i + 1]);
    if (k == "--docs") docs = v;
    else if (k == "--runs") runs = v;
    else if (k == "--page-size") page_size = v;
    else {
      std::cerr << "usage: migration_bench [--docs N] [--runs N] [--page-size N]\n";
      return 2;
    }
  }
  if (docs < 1 || runs < 1 || page_size < 1 || page_size > 10000) {
    std::cerr << "migration_bench: values must be positive, --page-size at most 10000\n";
    return 2;
  }
  miroir::init_grpc_process();
  std::printf("migration bench: 3 nodes (RG=1, RF=1, S=16) loaded with %d documents, a 4th node added, "
              "copy pages of %d, no client writes during the migration\n",
              docs, page_size);
  std::vector<double> wall, copy, rate_copy, rate_wall, copied;
  for (int r = 1; r <= runs; ++r) {
    RunFigures f = run_once(r, docs, page_size);
    const double rc = f.copy_s > 0 ? f.copied / f.copy_s : 0, rw = f.copied / f.wall_s;
    std::printf("  run %d: load %.1f s; migration %.2f s (copy %.2f s), %llu documents copied (%llu shards), "
                "%.0f copied/s over the copy, %.0f over the migration\n",
                r, f.load_s, f.wall_s, f.copy_s, static_cast<unsigned long long>(f.copied),
                static_cast<unsigned long long>(f.shards), rc, rw);
    wall.push_back(f.wall_s);
    copy.push_back(f.copy_s);
    rate_copy.push_back(rc);
    rate_wall.push_back(rw);
    copied.push_back(static_cast<double>(f.copied));
  }
  std::printf("median of %d: migration %.2f s wall (copy %.2f s), %.0f documents copied, %.0f copied/s over the "
              "copy, %.0f copied/s over the whole migration\n",
              runs, median(wall), median(copy), median(copied), median(rate_copy), median(rate_wall));
  return 0;
}
