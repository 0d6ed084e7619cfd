// miroir-ctl: miroir's routing and cluster status from the command line, for
// operators and for checks (scripts compare its output with expectations, so
// every answer is one plain line: a number, or names separated by commas in
// the order routing gives them).
//
//   miroir-ctl shard KEY --shards S
//   miroir-ctl score --shard N --node NAME
//   miroir-ctl owners --shard N --nodes a,b,c --rf R
//   miroir-ctl write-targets --shard N --group a,b,c [--group d,e,f ...] --rf R
//   miroir-ctl covering-set --shards S --nodes a,b,c --rf R --query Q
//   miroir-ctl status --orchestrator HOST:PORT [--timeout-ms T]
//   miroir-ctl node add NAME --address HOST:PORT --group G --orchestrator HOST:PORT
//   miroir-ctl node remove NAME --orchestrator HOST:PORT
//   miroir-ctl migrations --orchestrator HOST:PORT [--wait] [--timeout S]
//
// Exit 0 with the answer on stdout; 2 with a message on stderr for a bad
// command line; 1 when a running orchestrator cannot be asked or refuses
// (its error_code and message on stderr).
#include <chrono>
#include <cstdint>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "miroir.grpc.pb.h"
#include "miroir/common/flags.hpp"
#include "miroir/common/grpc_options.hpp"
#include "miroir/common/routing.hpp"

namespace {

const char* kUsage =
    "usage: miroir-ctl COMMAND [ARGS]\n"
    "  shard KEY --shards S                             shard of a primary key\n"
    "  score --shard N --node NAME                      rendezvous score of a node for a shard\n"
    "  owners --shard N --nodes a,b,c --rf R            owners of a shard in one group, in order\n"
    "  write-targets --shard N --group a,b,c [--group d,e,f ...] --rf R\n"
    "                                                   owners in group 0, then group 1, ...\n"
    "  covering-set --shards S --nodes a,b,c --rf R --query Q\n"
    "                                                   nodes a search with query counter Q asks\n"
    "  status --orchestrator HOST:PORT [--timeout-ms T] a running cluster, as one orchestrator sees it\n"
    "  node add NAME --address HOST:PORT --group G --orchestrator HOST:PORT\n"
    "                                                   start a migration adding a node; prints its id\n"
    "  node remove NAME --orchestrator HOST:PORT        start a migration removing a node; prints its id\n"
    "  migrations --orchestrator HOST:PORT [--wait] [--timeout S]\n"
    "                                                   one line per migration (--wait: once none runs)\n"
    "Output: one line. Lists are comma-separated, in routing order.\n";

using miroir::UsageError;

uint64_t number(const miroir::Flags& flags, const std::string& key, uint64_t min, uint64_t max) {
  const std::string text = flags.required(key);
  size_t used = 0;
  uint64_t v = 0;
  try {
    if (text.empty() || text[0] == '-') throw std::invalid_argument("negative");
    v = std::stoull(text, &used, 10);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || used == 0)
    throw UsageError("--" + key + " \"" + text + "\" is not a non-negative integer");
  if (v < min || v > max)
    throw UsageError("--" + key + " " + text + " is out of range [" + std::to_string(min) + ", " +
                     std::to_string(max) + "]");
  return v;
}

std::vector<std::string> names(const std::string& list, const std::string& flag) {
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    const auto b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
    if (b == std::string::npos) throw UsageError("--" + flag + " has an empty node name");
    out.push_back(item.substr(b, e - b + 1));
  }
  if (out.empty()) throw UsageError("--" + flag + " lists no node");
  return out;
}

std::string joined(const std::vector<std::string>& xs) {
  std::string s;
  for (const auto& x : xs) s += (s.empty() ? "" : ",") + x;
  return s;
}

constexpr uint64_t kMaxU32 = std::numeric_limits<uint32_t>::max();

int status(const miroir::Flags& flags) {
  const std::string address = flags.required("orchestrator");
  const auto timeout = flags.get("timeout-ms") ? number(flags, "timeout-ms", 1, 3'600'000) : 3000;
  auto stub = miroir::Orchestrator::NewStub(miroir::make_channel(address));
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, std::chrono::milliseconds(timeout));
  miroir::Empty req;
  miroir::ClusterStatsReply rep;
  grpc::Status st = stub->ClusterStats(&ctx, req, &rep);
  if (!st.ok()) {
    std::cerr << "error: orchestrator " << address << " did not answer: " << st.error_message() << "\n";
    return 1;
  }
  std::ostringstream line;
  line << "shards=" << rep.shards() << " rf=" << rep.replication_factor() << " groups=" << rep.replica_groups()
       << " pending_tasks=" << rep.pending_node_tasks() << " nodes=";
  for (int i = 0; i < rep.nodes_size(); ++i) {
    const auto& n = rep.nodes(i);
    line << (i ? "," : "") << n.name() << ":g" << n.group() << ":" << n.state()
         << (n.reachable() ? "" : ":unreachable");
  }
  std::cout << line.str() << "\n";
  return 0;
}

// `node add|remove NAME ...`: the migration's id, or the refusal.
int node_change(const miroir::Flags& flags, const std::vector<std::string>& positional) {
  if (positional.size() != 2 || (positional[0] != "add" && positional[0] != "remove"))
    throw UsageError("node needs add|remove and a NAME (node add NAME --address HOST:PORT --group G, "
                     "node remove NAME)");
  const bool add = positional[0] == "add";
  const std::string address = flags.required("orchestrator");
  const auto timeout = flags.get("timeout-ms") ? number(flags, "timeout-ms", 1, 3'600'000) : 10000;
  miroir::NodeChangeRequest req;
  req.set_node(positional[1]);
  if (add) {
    if (flags.all("group").size() > 1) throw UsageError("node add takes one --group");
    req.set_address(flags.required("address"));
    req.set_group(static_cast<uint32_t>(number(flags, "group", 0, kMaxU32)));
  } else if (flags.get("address") || flags.get("group")) {
    throw UsageError("node remove takes no --address or --group");
  }
  auto stub = miroir::Orchestrator::NewStub(miroir::make_channel(address));
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, std::chrono::milliseconds(timeout));
  miroir::MigrationReply rep;
  grpc::Status st = add ? stub->AddNode(&ctx, req, &rep) : stub->RemoveNode(&ctx, req, &rep);
  if (!st.ok()) {
    std::cerr << "error: orchestrator " << address << " did not answer: " << st.error_message() << "\n";
    return 1;
  }
  if (!rep.error_code().empty()) {
    std::cerr << "error: " << rep.error_code() << ": " << rep.error_message() << "\n";
    return 1;
  }
  std::cout << rep.migration_id() << "\n";
  return 0;
}

bool final_phase(const std::string& phase) {
  return phase == "complete" || phase == "aborted" || phase == "refused";
}

// `migrations`: one line per migration, oldest first.
int migrations(const miroir::Flags& flags, bool wait) {
  const std::string address = flags.required("orchestrator");
  const auto timeout_s = flags.get("timeout") ? number(flags, "timeout", 1, 86'400) : 600;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  auto stub = miroir::Orchestrator::NewStub(miroir::make_channel(address));
  miroir::MigrationsReply rep;
  for (;;) {
    grpc::ClientContext ctx;
    miroir::set_deadline(ctx, std::chrono::seconds(5));
    miroir::MigrationsRequest req;
    rep.Clear();
    grpc::Status st = stub->Migrations(&ctx, req, &rep);
    if (!st.ok()) {
      std::cerr << "error: orchestrator " << address << " did not answer: " << st.error_message() << "\n";
      return 1;
    }
    bool running = false;
    for (const auto& m : rep.migrations()) running = running || !final_phase(m.phase());
    if (!wait || !running) break;
    if (std::chrono::steady_clock::now() >= end) {
      std::cerr << "error: migrations still running after " << timeout_s << " s\n";
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (rep.migrations().empty()) std::cout << "no migrations\n";
  for (const auto& m : rep.migrations()) {
    const auto& c = m.counters();
    std::cout << m.id() << " " << m.kind() << " " << m.node() << " group=" << m.group() << " phase=" << m.phase()
              << " shards=" << m.shards_size() << " copied=" << c.documents_copied() << " delta=" << c.delta_documents()
              << " dual_writes=" << c.dual_writes() << " failed_on_new=" << c.writes_failed_on_new()
              << " undecided_at_deadline=" << c.undecided_at_deadline() << " drain_ms=" << c.drain_ms()
              << " cleaned=" << c.cleaned_documents() << "\n";
  }
  return 0;
}

int run(const std::string& command, const miroir::Flags& flags, const std::vector<std::string>& positional,
        bool wait) {
  if (wait && command != "migrations") throw UsageError("--wait is for migrations only");
  if (command == "node") return node_change(flags, positional);
  if (command != "shard" && !positional.empty())
    throw UsageError(command + " takes no positional argument (got \"" + positional[0] + "\")");
  if (command == "shard") {
    if (positional.size() != 1) throw UsageError("shard needs exactly one KEY");
    const auto shards = static_cast<uint32_t>(number(flags, "shards", 1, kMaxU32));
    std::cout << miroir::shard_for_key(positional[0], shards) << "\n";
    return 0;
  }
  if (command == "score") {
    const auto shard = static_cast<uint32_t>(number(flags, "shard", 0, kMaxU32));
    std::cout << miroir::score(shard, flags.required("node")) << "\n";
    return 0;
  }
  if (command == "owners") {
    const auto shard = static_cast<uint32_t>(number(flags, "shard", 0, kMaxU32));
    const auto rf = static_cast<uint32_t>(number(flags, "rf", 1, kMaxU32));
    std::cout << joined(miroir::owners(shard, names(flags.required("nodes"), "nodes"), rf)) << "\n";
    return 0;
  }
  if (command == "write-targets") {
    const auto shard = static_cast<uint32_t>(number(flags, "shard", 0, kMaxU32));
    const auto rf = static_cast<uint32_t>(number(flags, "rf", 1, kMaxU32));
    std::vector<std::vector<std::string>> groups;
    for (const auto& g : flags.all("group")) groups.push_back(names(g, "group"));
    if (groups.empty()) throw UsageError("missing --group");
    std::cout << joined(miroir::write_targets(shard, groups, rf)) << "\n";
    return 0;
  }
  if (command == "covering-set") {
    const auto shards = static_cast<uint32_t>(number(flags, "shards", 1, kMaxU32));
    const auto rf = static_cast<uint32_t>(number(flags, "rf", 1, kMaxU32));
    const uint64_t q = number(flags, "query", 0, std::numeric_limits<uint64_t>::max());
    std::cout << joined(miroir::covering_set(shards, names(flags.required("nodes"), "nodes"), rf, q)) << "\n";
    return 0;
  }
  if (command == "status") return status(flags);
  if (command == "migrations") return migrations(flags, wait);
  throw UsageError("unknown command \"" + command + "\"");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) miroir::usage_exit(kUsage, "missing COMMAND");
  const std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  // Positional arguments (the KEY of `shard`) may come anywhere; flags are
  // parsed by the shared parser from what is left.
  std::vector<std::string> positional;
  std::vector<char*> rest{argv[0]};
  bool wait = false;  // the one flag without a value
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--wait") {
      wait = true;
    } else if (a.rfind("--", 0) == 0 || a == "-h") {
      rest.push_back(argv[i]);
      if (a.find('=') == std::string::npos && a != "--help" && a != "-h" && i + 1 < argc) rest.push_back(argv[++i]);
    } else {
      positional.push_back(a);
    }
  }
  miroir::Flags flags({"shards", "shard", "node", "nodes", "rf", "query", "orchestrator", "timeout-ms", "address",
                       "timeout"},
                      {"group"});
  try {
    flags.parse(static_cast<int>(rest.size()), rest.data());
    if (flags.help()) {
      std::cout << kUsage;
      return 0;
    }
    return run(command, flags, positional, wait);
  } catch (const UsageError& e) {
    miroir::usage_exit(kUsage, e.what());
  }
}
