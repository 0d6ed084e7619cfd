// miroir-node: a storage node standing in for one Meilisearch instance.
//   miroir-node --name n1 --listen 198.18.0.1:7700 --data DIR [--bug ack-before-durable]
// SIGTERM/SIGINT: graceful stop. Exit 2 on a bad flag, 1 when it cannot start.
#include <chrono>
#include <iostream>
#include <memory>
#include <set>

#include <grpcpp/grpcpp.h>

#include "miroir/common/log.hpp"
#include "miroir/common/flags.hpp"
#include "miroir/common/grpc_options.hpp"
#include "miroir/common/signals.hpp"
#include "miroir/node/lmdb_store.hpp"
#include "miroir/node/node_service.hpp"
#include "miroir/node/worker.hpp"
#include "miroir/node/write_behind_store.hpp"

namespace {

const char* kUsage =
    "usage: miroir-node --name NAME --listen HOST:PORT --data DIR [--bug NAME]...\n"
    "  --name    node name (as in the cluster configuration)\n"
    "  --listen  address to serve miroir.Node on, e.g. 198.18.0.1:7700\n"
    "  --data    directory of the LMDB environment (created if missing)\n"
    "  --bug     positive control; known: ack-before-durable (tasks succeed in\n"
    "            memory, written to disk only every 2 s)\n";

const std::set<std::string> kKnownBugs = {"ack-before-durable"};

}  // namespace

int main(int argc, char** argv) {
  miroir::block_termination_signals();
  miroir::init_grpc_process();
  miroir::Flags flags({"name", "listen", "data"}, {"bug"});
  std::string name, listen, data;
  std::set<std::string> bugs;
  try {
    flags.parse(argc, argv);
    if (flags.help()) {
      std::cout << kUsage;
      return 0;
    }
    for (const auto& b : flags.all("bug")) {
      if (!kKnownBugs.count(b)) throw miroir::UsageError("unknown --bug \"" + b + "\"");
      bugs.insert(b);
    }
    name = flags.required("name");
    listen = flags.required("listen");
    data = flags.required("data");
  } catch (const miroir::UsageError& e) {
    miroir::usage_exit(kUsage, e.what());
  }

  std::unique_ptr<miroir::node::Store> store;
  try {
    auto durable = std::make_unique<miroir::node::LmdbStore>(data);
    if (bugs.count("ack-before-durable")) {
      MIROIR_LOG(warn, name) << "bug ack-before-durable ON: acknowledged writes live in memory";
      store = std::make_unique<miroir::node::WriteBehindStore>(std::move(durable),
                                                               std::chrono::seconds(2));
    } else {
      store = std::move(durable);
    }
  } catch (const std::exception& e) {
    MIROIR_LOG(error, name) << "cannot open storage in " << data << ": " << e.what();
    return 1;
  }

  miroir::node::Worker worker(*store);
  worker.start();  // resumes whatever the queue held before a crash
  miroir::node::NodeService service(name, *store, worker);

  grpc::ServerBuilder builder;
  miroir::configure_server(builder);
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    MIROIR_LOG(error, name) << "cannot listen on " << listen;
    worker.stop();
    return 1;
  }
  MIROIR_LOG(info, name) << "node serving on " << listen << ", data " << data;

  int sig = miroir::wait_for_termination_signal();
  MIROIR_LOG(info, name) << "signal " << sig << ": shutting down";
  worker.stop();  // also releases long polls
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  server->Wait();
  store.reset();  // closes the environment (the write-behind store flushes first)
  MIROIR_LOG(info, name) << "stopped";
  return 0;
}
