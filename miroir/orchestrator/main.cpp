// miroir-orchestrator: routing, replication, tasks and reads over miroir-nodes.
//   miroir-orchestrator --name o1 --listen 198.18.0.101:7600 --config cluster.json --data DIR
// Several orchestrators serve one cluster by sharing --data (see README).
// SIGTERM/SIGINT: graceful stop. Exit 2 on a bad flag or configuration, 1 when
// it cannot start.
#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "miroir/common/log.hpp"
#include "miroir/common/cluster_config.hpp"
#include "miroir/common/flags.hpp"
#include "miroir/common/grpc_options.hpp"
#include "miroir/common/signals.hpp"
#include "miroir/orchestrator/orchestrator_service.hpp"

namespace {

std::string usage() {
  std::string bugs;
  for (const auto& b : miroir::orchestrator::known_bug_switches()) bugs += (bugs.empty() ? "" : ", ") + b;
  return "usage: miroir-orchestrator --name NAME --listen HOST:PORT --config FILE --data DIR\n"
         "                           [--unavailable-shards partial|error] [--probe-interval-ms MS]\n"
         "                           [--anti-entropy on|off] [--anti-entropy-interval-s S]\n"
         "                           [--drain-deadline-ms MS] [--copy-page-size N] [--copy-pause-ms MS]\n"
         "                           [--bug NAME]...\n"
         "  --name               orchestrator name\n"
         "  --listen             address to serve miroir.Orchestrator on, e.g. 198.18.0.101:7600\n"
         "  --config             cluster configuration (JSON: shards, replication_factor, index, nodes)\n"
         "  --data               directory of the durable task map (tasks.sqlite, created if missing);\n"
         "                       orchestrators of one cluster share it: give them all the same DIR\n"
         "  --unavailable-shards a search or list with a shard no owner answers for:\n"
         "                       partial (default: answer without it, flagged degraded) or error\n"
         "  --probe-interval-ms  health probe interval (default 5000; probe timeout min(2000, interval))\n"
         "  --anti-entropy       on (default): stamp _miroir_updated_at on every write and run\n"
         "                       anti-entropy passes (scheduled, and RunAntiEntropy); off: neither\n"
         "  --anti-entropy-interval-s  seconds between scheduled passes (default 21600 = 6 h)\n"
         "  --drain-deadline-ms  migrations: how long a drain waits for in-flight dual-writes (default 30000)\n"
         "  --copy-page-size     migrations: documents per page of the background copy and delta pass\n"
         "                       (default 1000)\n"
         "  --copy-pause-ms      migrations: pause between two pages of the background copy, a throttle\n"
         "                       (default 0)\n"
         "  --bug                positive control, repeatable: " + bugs + "\n";
}

// A whole number of milliseconds, at least `min` (1 unless 0 means "none").
std::chrono::milliseconds parse_ms(const std::string& flag, const std::string& text, long long min = 1) {
  size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || v < min || v > 3600000)
    throw miroir::UsageError("--" + flag + " must be a whole number of milliseconds in " + std::to_string(min) +
                             "..3600000, not \"" + text + "\"");
  return std::chrono::milliseconds(v);
}

// A whole number of seconds in 1..max.
std::chrono::seconds parse_s(const std::string& flag, const std::string& text, long long max) {
  size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || v <= 0 || v > max)
    throw miroir::UsageError("--" + flag + " must be a whole number of seconds in 1.." + std::to_string(max) +
                             ", not \"" + text + "\"");
  return std::chrono::seconds(v);
}

}  // namespace

int main(int argc, char** argv) {
  miroir::block_termination_signals();
  miroir::init_grpc_process();
  miroir::Flags flags({"name", "listen", "config", "data", "unavailable-shards", "probe-interval-ms",
                       "anti-entropy", "anti-entropy-interval-s", "drain-deadline-ms", "copy-page-size",
                       "copy-pause-ms"},
                      {"bug"});
  std::string name, listen, config_path, data;
  miroir::ClusterConfig config;
  miroir::orchestrator::OrchestratorOptions options;
  const std::string usage_text = usage();
  try {
    flags.parse(argc, argv);
    if (flags.help()) {
      std::cout << usage_text;
      return 0;
    }
    options.bugs = miroir::orchestrator::parse_bug_switches(flags.all("bug"));
    if (auto ms = flags.get("probe-interval-ms")) options.probe_interval = parse_ms("probe-interval-ms", *ms);
    if (auto ms = flags.get("drain-deadline-ms")) options.drain_deadline = parse_ms("drain-deadline-ms", *ms);
    if (auto n = flags.get("copy-page-size")) {
      size_t used = 0;
      long long v = 0;
      try {
        v = std::stoll(*n, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != n->size() || v < 1 || v > 10000)
        throw miroir::UsageError("--copy-page-size must be a whole number in 1..10000, not \"" + *n + "\"");
      options.copy_page_size = static_cast<uint32_t>(v);
    }
    if (auto ms = flags.get("copy-pause-ms")) options.copy_pause = parse_ms("copy-pause-ms", *ms, 0);
    if (auto ae = flags.get("anti-entropy")) {
      if (*ae != "on" && *ae != "off")
        throw miroir::UsageError("--anti-entropy must be on or off, not \"" + *ae + "\"");
      options.anti_entropy = *ae == "on";
    }
    if (auto s = flags.get("anti-entropy-interval-s"))
      options.anti_entropy_interval = parse_s("anti-entropy-interval-s", *s, 10LL * 365 * 24 * 3600);
    name = flags.required("name");
    listen = flags.required("listen");
    config_path = flags.required("config");
    data = flags.required("data");
    if (auto p = flags.get("unavailable-shards")) {
      auto policy = miroir::orchestrator::parse_unavailable_shards(*p);
      if (!policy)
        throw miroir::UsageError("--unavailable-shards must be partial or error, not \"" + *p + "\"");
      options.unavailable_shards = *policy;
    }
    config = miroir::ClusterConfig::load(config_path);
  } catch (const miroir::UsageError& e) {
    miroir::usage_exit(usage_text, e.what());
  } catch (const std::invalid_argument& e) {
    miroir::usage_exit(usage_text, e.what());
  }

  std::unique_ptr<miroir::orchestrator::OrchestratorService> service;
  try {
    service = std::make_unique<miroir::orchestrator::OrchestratorService>(name, config, data, options);
  } catch (const std::exception& e) {
    MIROIR_LOG(error, name) << "cannot start: " << e.what();
    return 1;
  }

  grpc::ServerBuilder builder;
  miroir::configure_server(builder);
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(service.get());
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    MIROIR_LOG(error, name) << "cannot listen on " << listen;
    return 1;
  }
  MIROIR_LOG(info, name) << "orchestrator serving on " << listen << ": " << config.nodes.size()
                        << " nodes, " << config.shards << " shards, RF "
                        << config.replication_factor << ", " << config.replica_groups() << " group(s), "
                        << "unavailable shards: " << to_string(options.unavailable_shards)
                        << ", drain deadline " << options.drain_deadline.count() << " ms, copy pages of "
                        << options.copy_page_size << ", anti-entropy " << (options.anti_entropy ? "on" : "off");
  for (const auto& b : flags.all("bug")) MIROIR_LOG(warn, name) << "bug switch on: " << b;

  int sig = miroir::wait_for_termination_signal();
  MIROIR_LOG(info, name) << "signal " << sig << ": shutting down";
  service->begin_shutdown();  // phase-event streams end, coordinators stop
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  server->Wait();
  service.reset();
  MIROIR_LOG(info, name) << "stopped";
  return 0;
}
