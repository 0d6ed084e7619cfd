// miroir-orchestrator: routing, replication, tasks and reads over miroir-nodes.
//   miroir-orchestrator --name o1 --listen 198.18.0.101:7600 --config cluster.json --data DIR
// SIGTERM/SIGINT: graceful stop. Exit 2 on a bad flag or configuration, 1 when
// it cannot start.
#include <chrono>
#include <iostream>
#include <memory>
#include <set>

#include <grpcpp/grpcpp.h>

#include "core/log.hpp"
#include "miroir/common/cluster_config.hpp"
#include "miroir/common/flags.hpp"
#include "miroir/common/grpc_options.hpp"
#include "miroir/common/signals.hpp"
#include "miroir/orchestrator/orchestrator_service.hpp"

namespace {

const char* kUsage =
    "usage: miroir-orchestrator --name NAME --listen HOST:PORT --config FILE --data DIR\n"
    "                           [--unavailable-shards partial|error] [--bug NAME]...\n"
    "  --name    orchestrator name\n"
    "  --listen  address to serve miroir.Orchestrator on, e.g. 198.18.0.101:7600\n"
    "  --config  cluster configuration (JSON: shards, replication_factor, index, nodes)\n"
    "  --data    directory of the durable task map (tasks.sqlite, created if missing)\n"
    "  --unavailable-shards  a search or list with a shard no owner answers for:\n"
    "            partial (default: answer without it, flagged degraded) or error\n"
    "  --bug     positive control (none implemented in this version)\n";

// Orchestrator bug switches arrive with the migration path.
const std::set<std::string> kKnownBugs = {};

}  // namespace

int main(int argc, char** argv) {
  miroir::block_termination_signals();
  miroir::init_grpc_process();
  miroir::Flags flags({"name", "listen", "config", "data", "unavailable-shards"}, {"bug"});
  std::string name, listen, config_path, data;
  miroir::ClusterConfig config;
  miroir::orchestrator::OrchestratorOptions options;
  try {
    flags.parse(argc, argv);
    if (flags.help()) {
      std::cout << kUsage;
      return 0;
    }
    for (const auto& b : flags.all("bug"))
      if (!kKnownBugs.count(b)) throw miroir::UsageError("unknown --bug \"" + b + "\"");
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
    miroir::usage_exit(kUsage, e.what());
  } catch (const std::invalid_argument& e) {
    miroir::usage_exit(kUsage, e.what());
  }

  std::unique_ptr<miroir::orchestrator::OrchestratorService> service;
  try {
    service = std::make_unique<miroir::orchestrator::OrchestratorService>(name, config, data, options);
  } catch (const std::exception& e) {
    ECLAT_LOG(error, name) << "cannot start: " << e.what();
    return 1;
  }

  grpc::ServerBuilder builder;
  miroir::configure_server(builder);
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(service.get());
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    ECLAT_LOG(error, name) << "cannot listen on " << listen;
    return 1;
  }
  ECLAT_LOG(info, name) << "orchestrator serving on " << listen << ": " << config.nodes.size()
                        << " nodes, " << config.shards << " shards, RF "
                        << config.replication_factor << ", " << config.replica_groups() << " group(s), "
                        << "unavailable shards: " << to_string(options.unavailable_shards);

  int sig = miroir::wait_for_termination_signal();
  ECLAT_LOG(info, name) << "signal " << sig << ": shutting down";
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  server->Wait();
  service.reset();
  ECLAT_LOG(info, name) << "stopped";
  return 0;
}
