#include "systems/miroir/admin.hpp"

#include <cstdio>
#include <set>

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "miroir.grpc.pb.h"
#include "miroir/common/grpc_options.hpp"

namespace eclat::miroir_admin {
namespace {

using std::chrono::milliseconds;

std::unique_ptr<miroir::Orchestrator::Stub> orchestrator_stub(const std::string& address) {
  return miroir::Orchestrator::NewStub(miroir::make_channel(address));
}

// The proto3 JSON mapping writes 64-bit integers as strings; in the history
// they are numbers, like every other count.
void numbers_as_numbers(nlohmann::json& j, const google::protobuf::Descriptor* d) {
  using google::protobuf::FieldDescriptor;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    auto it = j.find(f->name());
    if (it == j.end() || f->is_map()) continue;
    auto fix = [f](nlohmann::json& v) {
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        numbers_as_numbers(v, f->message_type());
      } else if (v.is_string() && f->cpp_type() == FieldDescriptor::CPPTYPE_INT64) {
        v = std::stoll(v.get<std::string>());
      } else if (v.is_string() && f->cpp_type() == FieldDescriptor::CPPTYPE_UINT64) {
        v = std::stoull(v.get<std::string>());
      }
    };
    if (f->is_repeated()) {
      for (auto& v : *it) fix(v);
    } else {
      fix(*it);
    }
  }
}

// Protobuf's own JSON mapping (field names as in the .proto), so the history
// shows the messages exactly as miroir sent them (64-bit integers as numbers).
nlohmann::json to_json(const google::protobuf::Message& m) {
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  if (!google::protobuf::util::MessageToJsonString(m, &text, options).ok()) return nullptr;
  nlohmann::json j = nlohmann::json::parse(text);
  numbers_as_numbers(j, m.GetDescriptor());
  return j;
}

[[noreturn]] void unreachable(const std::string& what, const std::string& address, const grpc::Status& st) {
  throw HarnessError(what + " through " + address + ": " + st.error_message());
}

nlohmann::json change_reply(const miroir::MigrationReply& rep) {
  if (!rep.error_code().empty()) return {{"refused", rep.error_code()}, {"message", rep.error_message()}};
  return {{"migration", rep.migration_id()}};
}

std::string hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

nlohmann::json add_node(const std::string& orchestrator, const std::string& node, const std::string& address,
                        uint32_t group) {
  miroir::NodeChangeRequest req;
  req.set_node(node);
  req.set_address(address);
  req.set_group(group);
  miroir::MigrationReply rep;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, milliseconds(10000));
  grpc::Status st = orchestrator_stub(orchestrator)->AddNode(&ctx, req, &rep);
  if (!st.ok()) unreachable("add node " + node, orchestrator, st);
  return change_reply(rep);
}

nlohmann::json remove_node(const std::string& orchestrator, const std::string& node) {
  miroir::NodeChangeRequest req;
  req.set_node(node);
  miroir::MigrationReply rep;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, milliseconds(10000));
  grpc::Status st = orchestrator_stub(orchestrator)->RemoveNode(&ctx, req, &rep);
  if (!st.ok()) unreachable("remove node " + node, orchestrator, st);
  return change_reply(rep);
}

nlohmann::json migrations(const std::string& orchestrator) {
  miroir::MigrationsRequest req;
  miroir::MigrationsReply rep;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, milliseconds(3000));
  grpc::Status st = orchestrator_stub(orchestrator)->Migrations(&ctx, req, &rep);
  if (!st.ok()) unreachable("migration status", orchestrator, st);
  nlohmann::json all = nlohmann::json::array();
  for (const auto& m : rep.migrations()) all.push_back(to_json(m));
  return all;
}

bool finished_phase(const std::string& phase) {
  return phase == "complete" || phase == "aborted" || phase == "refused";
}

nlohmann::json wait_migrations(const std::function<std::string()>& orchestrator, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  nlohmann::json last = nlohmann::json::array();
  while (true) {
    bool running = false;
    try {
      last = migrations(orchestrator());
      for (const auto& m : last) running = running || !finished_phase(m.value("phase", ""));
      if (!running) return {{"migrations", last}, {"done", true}};
    } catch (const HarnessError& e) {
      ECLAT_LOG(debug, "miroir") << e.what();  // the coordinator may be restarting
    }
    if (std::chrono::steady_clock::now() >= deadline) return {{"migrations", last}, {"done", false}};
    std::this_thread::sleep_for(milliseconds(200));
  }
}

nlohmann::json run_anti_entropy(const std::string& orchestrator, milliseconds timeout) {
  miroir::AntiEntropyRequest req;
  miroir::AntiEntropyReply rep;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, timeout);
  grpc::Status st = orchestrator_stub(orchestrator)->RunAntiEntropy(&ctx, req, &rep);
  if (!st.ok()) unreachable("anti-entropy pass", orchestrator, st);
  nlohmann::json j = to_json(rep);
  j["ran"] = rep.error_code().empty();
  return j;
}

void set_drain_stall(const std::string& orchestrator, milliseconds stall) {
  miroir::DrainStallRequest req;
  req.set_stall_ms(static_cast<uint32_t>(stall.count()));
  miroir::Empty rep;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, milliseconds(3000));
  grpc::Status st = orchestrator_stub(orchestrator)->SetDrainStall(&ctx, req, &rep);
  if (!st.ok()) unreachable("drain stall", orchestrator, st);
}

nlohmann::json inspect(const std::string& orchestrator, const std::map<std::string, std::string>& nodes) {
  miroir::ClusterStatsReply stats;
  {
    miroir::Empty req;
    grpc::ClientContext ctx;
    miroir::set_deadline(ctx, milliseconds(5000));
    grpc::Status st = orchestrator_stub(orchestrator)->ClusterStats(&ctx, req, &stats);
    if (!st.ok()) unreachable("cluster stats", orchestrator, st);
  }
  nlohmann::json routes = nlohmann::json::array();
  for (const auto& r : stats.routes()) routes.push_back(to_json(r));
  nlohmann::json states = nlohmann::json::object();
  for (const auto& n : stats.nodes()) states[n.name()] = n.state();
  nlohmann::json per_node = nlohmann::json::object();
  for (const auto& [name, address] : nodes) {
    auto stub = miroir::Node::NewStub(miroir::make_channel(address));
    nlohmann::json shards = nlohmann::json::object();
    bool reachable = true;
    for (uint32_t s = 0; s < stats.shards() && reachable; ++s) {
      miroir::NodeFingerprintRequest req;
      req.set_index("docs");
      req.set_shard(s);
      miroir::NodeFingerprintReply rep;
      grpc::ClientContext ctx;
      miroir::set_deadline(ctx, milliseconds(10000));
      grpc::Status st = stub->Fingerprint(&ctx, req, &rep);
      if (!st.ok()) {
        reachable = false;
        shards = {{"error", st.error_message()}};
      } else if (rep.documents() > 0) {
        shards[std::to_string(s)] = {{"documents", rep.documents()}, {"digest", hex(rep.digest())}};
      }
    }
    per_node[name] = {{"reachable", reachable}, {"shards", shards}};
  }
  return {{"epoch", stats.epoch()},
          {"shards", stats.shards()},
          {"replication_factor", stats.replication_factor()},
          {"replica_groups", stats.replica_groups()},
          {"states", states},
          {"routes", routes},
          {"nodes", per_node}};
}

PhaseWatcher::PhaseWatcher(std::function<std::string()> orchestrator,
                           std::function<void(const nlohmann::json&)> on_event)
    : orchestrator_(std::move(orchestrator)), on_event_(std::move(on_event)), thread_([this] { loop(); }) {}

PhaseWatcher::~PhaseWatcher() { stop(); }

void PhaseWatcher::stop() {
  stopping_ = true;
  {
    std::lock_guard lock(mu_);
    if (current_) current_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

void PhaseWatcher::deliver(const nlohmann::json& ev) {
  // A whole-migration phase is delivered once, whether the stream or the
  // status poll saw it first (a resumed coordinator announces it again).
  if (ev.value("shard", -1) == -1 &&
      !seen_.insert(ev.value("migration_id", "") + "/" + ev.value("phase", "")).second)
    return;
  try {
    on_event_(ev);
  } catch (const std::exception& e) {  // a thread of its own: never let it end the run
    ECLAT_LOG(error, "miroir") << "phase event " << ev.dump() << ": " << e.what();
  }
}

void PhaseWatcher::loop() {
  while (!stopping_) {
    auto stub = orchestrator_stub(orchestrator_());
    grpc::ClientContext ctx;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      current_ = &ctx;
    }
    miroir::Empty req;
    auto reader = stub->WatchMigrations(&ctx, req);
    // Phases entered while no stream was open (the coordinator restarting):
    // the status says where each migration is now.
    try {
      for (const auto& m : migrations(orchestrator_())) {
        nlohmann::json ev = {{"migration_id", m.value("id", "")}, {"phase", m.value("phase", "")},
                             {"shard", -1},  {"shard_state", ""},
                             {"node", m.value("node", "")},   {"epoch", m.value("epoch", uint64_t{0})},
                             {"at_ms", m.value("updated_at_ms", int64_t{0})}, {"from_status", true}};
        deliver(ev);
      }
    } catch (const HarnessError&) {
      // not up yet: the stream below ends at once and we come back
    }
    miroir::PhaseEvent ev;
    while (reader->Read(&ev)) deliver(to_json(ev));
    reader->Finish();  // the coordinator went away or we cancelled
    {
      std::lock_guard lock(mu_);
      current_ = nullptr;
    }
    for (int i = 0; i < 4 && !stopping_; ++i) std::this_thread::sleep_for(milliseconds(50));
  }
}

}  // namespace eclat::miroir_admin
