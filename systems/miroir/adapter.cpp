// The miroir adapter: N storage nodes n1..nN at 198.18.0.1..N (groups split
// evenly, in order), K orchestrators o1..oK at 198.18.0.101.. (--set
// orchestrators=K, default 1) sharing one durable state directory
// <run>/orchestrators/ (their task map and topology), the cluster
// configuration written to <run>/cluster.json, each process's data and logs
// under <run>/nodes/<name>/. Client i talks to orchestrator i mod K.
//
// Migrations: --set spare-nodes=M (default 1 when the run adds a node, else
// 0) lays out M more hosts n(N+1).. whose nodes are started only when the
// add-node fault asks for them; o1 coordinates every membership change.
#include <chrono>
#include <fstream>
#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "cluster/system.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/paths.hpp"
#include "miroir.grpc.pb.h"
#include "miroir/common/cluster_config.hpp"
#include "miroir/common/grpc_options.hpp"
#include "miroir/common/routing.hpp"
#include "systems/miroir/admin.hpp"
#include "systems/miroir/client.hpp"
#include "systems/miroir/hooks.hpp"
#include "systems/miroir/settings.hpp"

namespace eclat {
namespace {

using std::chrono::milliseconds;
using namespace miroir_settings;
constexpr int kNodePort = 7700;
constexpr int kOrchestratorPort = 7600;
constexpr int kOrchestratorIndex = 101;

// Bug switches (positive controls, see miroir.md), by the process that has them.
const std::map<std::string, std::string> kNodeBugs = {
    {"ack-before-durable", "node: a write is acknowledged before it is durable (write-behind)"}};
const std::map<std::string, std::string> kOrchestratorBugs = {
    {"ack-any-status", "orchestrator: a write is acknowledged whatever its owners answered"},
    {"retry-cache-aba", "orchestrator: a retried write is answered from a stale cache entry"},
    {"get-by-id-shard0", "orchestrator: get-by-id always asks shard 0's owners"},
    {"skip-delta", "orchestrator: a migration skips its delta pass"},
    {"bypass-gate", "orchestrator: the safety gate accepts any anti-entropy x delta combination"},
    {"conditional-delta", "orchestrator: the delta pass copies only what the new node lacks"},
    {"no-drain-deadline", "orchestrator: a drain waits for ever instead of deciding at its deadline"},
    {"volatile-inflight", "orchestrator: in-flight writes are kept in memory only (lost by a coordinator crash)"},
    {"no-anti-entropy-repair", "orchestrator: anti-entropy finds divergence and repairs nothing"}};
// Events for triggers: migration phases and shard states (PhaseEvent).
const std::vector<std::string> kPhases = {"computing", "dual-write", "cutover", "draining", "delta",
                                          "activate",  "cleanup",    "complete", "aborted"};
const std::vector<std::string> kShardStates = {"pending", "copying", "copied", "delta-done", "active", "cleaned"};

std::string ip_of(int index) { return "198.18.0." + std::to_string(index); }

bool mentions(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

class Miroir : public System, public MiroirHooks {
 public:
  explicit Miroir(const TestConfig& cfg) : cfg_(cfg) {}

  void validate(const TestConfig& cfg) const override {
    for (const auto& b : cfg.bugs) {
      if (!kNodeBugs.count(b) && !kOrchestratorBugs.count(b)) {
        std::set<std::string> all;
        for (const auto* bugs : {&kNodeBugs, &kOrchestratorBugs})
          for (const auto& [k, _] : *bugs) all.insert(k);
        std::string known;
        for (const auto& k : all) known += (known.empty() ? "" : ", ") + k;
        throw BadInput("unknown bug switch \"" + b + "\" for miroir (known: " + known + ")");
      }
    }
    orchestrator_count();
    read_policy();
    anti_entropy();
    spare_count();
    new_node_group();
    drain_deadline_ms();
    copy_page_size();
    copy_pause_ms();
    if (cfg.nodes > kOrchestratorIndex - 1)
      throw BadInput("--nodes " + std::to_string(cfg.nodes) + ": miroir supports at most " +
                     std::to_string(kOrchestratorIndex - 1) + " storage nodes");
    try {
      cluster_config().validate();
    } catch (const std::invalid_argument& e) {
      throw BadInput("miroir topology --nodes " + std::to_string(cfg.nodes) + " --set shards=" +
                     std::to_string(kShards(cfg.settings)) + " rf=" + std::to_string(kRf(cfg.settings)) +
                     " groups=" + std::to_string(kGroups(cfg.settings)) + ": " + e.what());
    }
  }

  void setup(Network& net, const std::filesystem::path& run_dir) override {
    auto cluster = cluster_config();
    const auto config_path = run_dir / "cluster.json";
    std::ofstream(config_path) << cluster.to_json().dump(2) << "\n";
    const auto bin = binary_dir();
    const milliseconds ready = ready_timeout();

    std::vector<std::string> node_bugs, orchestrator_bugs;
    for (const auto& b : cfg_.bugs) {
      auto& to = kNodeBugs.count(b) ? node_bugs : orchestrator_bugs;
      to.push_back("--bug");
      to.push_back(b);
    }
    // Storage node i on host n<i>; spare hosts exist from the start (faults
    // see them), their nodes start when add_node() asks.
    for (int i = 1; i <= cfg_.nodes + spare_count(); ++i) {
      std::string name = "n" + std::to_string(i);
      const Host& host = net.add_host(name, i);
      ProcessSpec spec;
      spec.name = name;
      spec.exe = bin / "miroir-node";
      spec.args = {"--name", name, "--listen", host.ip + ":" + std::to_string(kNodePort),
                   "--data", (run_dir / "nodes" / name / "data").string()};
      spec.args.insert(spec.args.end(), node_bugs.begin(), node_bugs.end());
      spec.netns_fd = host.netns_fd;
      spec.log_dir = run_dir / "nodes" / name;
      if (cfg_.moves_clocks()) spec.clock_file = spec.log_dir / "clock";
      addresses_[name] = host.ip + ":" + std::to_string(kNodePort);
      (i <= cfg_.nodes ? nodes_ : spares_).push_back(name);
      procs_[name] = std::make_unique<NodeProcess>(spec);
    }
    // Every orchestrator opens the same task map, so a task created through
    // one can be polled through another.
    const auto shared_state = run_dir / "orchestrators";
    for (int k = 1; k <= orchestrator_count(); ++k) {
      const std::string name = "o" + std::to_string(k);
      const Host& o = net.add_host(name, kOrchestratorIndex + k - 1);
      ProcessSpec spec;
      spec.name = name;
      spec.exe = bin / "miroir-orchestrator";
      spec.args = {"--name", name, "--listen", o.ip + ":" + std::to_string(kOrchestratorPort), "--config",
                   config_path.string(), "--data", shared_state.string()};
      if (cfg_.settings.has(kUnavailableShards.key))
        spec.args.insert(spec.args.end(), {"--unavailable-shards", read_policy()});
      if (!anti_entropy()) spec.args.insert(spec.args.end(), {"--anti-entropy", "off"});
      if (cfg_.settings.has(kDrainDeadline.key))
        spec.args.insert(spec.args.end(), {"--drain-deadline-ms", std::to_string(drain_deadline_ms())});
      if (cfg_.settings.has(kCopyPageSize.key))
        spec.args.insert(spec.args.end(), {"--copy-page-size", std::to_string(copy_page_size())});
      if (cfg_.settings.has(kCopyPause.key))
        spec.args.insert(spec.args.end(), {"--copy-pause-ms", std::to_string(copy_pause_ms())});
      spec.args.insert(spec.args.end(), orchestrator_bugs.begin(), orchestrator_bugs.end());
      spec.netns_fd = o.netns_fd;
      spec.log_dir = run_dir / "nodes" / name;
      addresses_[name] = o.ip + ":" + std::to_string(kOrchestratorPort);
      orchestrators_.push_back(name);
      procs_[name] = std::make_unique<NodeProcess>(spec);
    }

    for (const auto& n : nodes_) procs_[n]->start();
    for (const auto& n : nodes_) wait_ready(n, ready);
    ready_ = ready;
    for (const auto& o : orchestrators_) procs_[o]->start();
    for (const auto& o : orchestrators_) wait_ready(o, ready);
  }

  std::vector<std::string> db_nodes() const override {
    std::lock_guard lock(mu_);
    return nodes_;
  }

  NodeProcess& process(const std::string& node) override { return *procs_.at(node); }

  bool clocks_movable() const override { return true; }

  std::optional<std::chrono::system_clock::time_point> wall_clock(const std::string& node) override {
    grpc::ClientContext ctx;
    miroir::set_deadline(ctx, milliseconds(1000));
    miroir::Empty req;
    miroir::HealthReply rep;
    auto channel = miroir::make_channel(addresses_.at(node));
    grpc::Status st = node[0] == 'o' ? miroir::Orchestrator::NewStub(channel)->Health(&ctx, req, &rep)
                                     : miroir::Node::NewStub(channel)->Health(&ctx, req, &rep);
    if (!st.ok()) return std::nullopt;
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(rep.wall_clock_ns())));
  }

  void wait_ready(const std::string& node, milliseconds timeout) override {
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + timeout;
    auto channel = miroir::make_channel(addresses_.at(node));
    NodeProcess& proc = *procs_.at(node);
    std::string last_error = "no answer";
    while (std::chrono::steady_clock::now() < deadline) {
      if (!proc.running()) {
        last_error = "the process exited";
        break;
      }
      grpc::ClientContext ctx;
      miroir::set_deadline(ctx, milliseconds(500));
      miroir::Empty req;
      miroir::HealthReply rep;
      grpc::Status st = node[0] == 'o'
                            ? miroir::Orchestrator::NewStub(channel)->Health(&ctx, req, &rep)
                            : miroir::Node::NewStub(channel)->Health(&ctx, req, &rep);
      if (st.ok()) {
        ECLAT_LOG(debug, "miroir") << node << " ready after "
                                   << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
                                   << " s";
        return;
      }
      last_error = st.error_message();
      std::this_thread::sleep_for(milliseconds(50));
    }
    throw HarnessError("node " + node + " (" + addresses_.at(node) + ") did not become ready within " +
                       std::to_string(timeout.count() / 1000.0).substr(0, 5) + " s: " + last_error +
                       "\n--- last lines of its log ---\n" + proc.log_tail(20));
  }

  // Worker i sticks to orchestrator i mod K (the final phase's worker -1 to o1).
  std::unique_ptr<Client> client(int worker) override {
    const auto k = static_cast<int>(orchestrators_.size());
    const std::string& o = orchestrators_[static_cast<size_t>(((worker % k) + k) % k)];
    return make_miroir_client(addresses_.at(o), ms_of(kOpTimeout, cfg_));
  }

  void fail_writes(const std::string& node, double probability, const std::vector<uint32_t>& shards) override {
    auto stub = miroir::Node::NewStub(miroir::make_channel(addresses_.at(node)));
    grpc::ClientContext ctx;
    miroir::set_deadline(ctx, milliseconds(2000));
    miroir::NodeFaultRequest req;
    req.set_fail_writes_probability(probability);
    for (uint32_t s : shards) req.add_shards(s);
    miroir::Empty rep;
    grpc::Status st = stub->SetFault(&ctx, req, &rep);
    if (!st.ok()) throw HarnessError("fail-writes on " + node + ": " + st.error_message());
  }

  bool wait_quiescent(milliseconds timeout) override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto stub = miroir::Orchestrator::NewStub(miroir::make_channel(addresses_.at(orchestrators_.front())));
    std::string last = "no answer";
    while (std::chrono::steady_clock::now() < deadline) {
      grpc::ClientContext ctx;
      miroir::set_deadline(ctx, milliseconds(2000));
      miroir::Empty req;
      miroir::ClusterStatsReply rep;
      grpc::Status st = stub->ClusterStats(&ctx, req, &rep);
      if (st.ok() && rep.pending_node_tasks() == 0 && rep.unreachable().empty()) return true;
      last = st.ok() ? std::to_string(rep.pending_node_tasks()) + " tasks pending, " +
                           std::to_string(rep.unreachable_size()) + " nodes unreachable"
                     : st.error_message();
      std::this_thread::sleep_for(milliseconds(200));
    }
    ECLAT_LOG(warn, "miroir") << "not quiescent: " << last;
    return false;
  }

  void teardown() override {
    stop_watching_events();
    // The orchestrators first, so that nothing writes to a stopping node.
    for (const auto& o : orchestrators_) procs_[o]->stop(milliseconds(5000));
    for (const auto& n : db_nodes()) procs_[n]->stop(milliseconds(5000));
    for (const auto& n : spares_) procs_[n]->stop(milliseconds(5000));  // a refused add leaves one
  }

  // Migration phases are watched when the run changes membership or has a
  // trigger on an event.
  bool wants_events(const TestConfig& cfg) const override {
    bool moves = cfg.workload == "migration";
    for (const auto& f : cfg.nemesis) moves = moves || f == "add-node" || f == "remove-node";
    for (const auto& t : cfg.triggers) {
      const std::string on = t.value("on", "");
      moves = moves || on.rfind("at:", 0) != 0 || t.value("fault", "") == "add-node" ||
              t.value("fault", "") == "remove-node";
    }
    return moves;
  }

  // Each PhaseEvent becomes "phase:NAME" (the migration entered a phase) or
  // "shard:STATE" (one of its shards entered a state), recorded as a nemesis
  // info operation "migration" whose value is the event (the migration
  // checker reads them).
  void watch_events(std::function<void(const SystemEvent&)> on_event) override {
    stop_watching_events();
    const std::string address = addresses_.at(coordinator());
    watcher_ = std::make_unique<miroir_admin::PhaseWatcher>([address] { return address; },
                                                            [on_event](const nlohmann::json& ev) {
      SystemEvent e;
      const int shard = ev.value("shard", -1);
      e.kind = shard < 0 ? "phase" : "shard";
      e.name = shard < 0 ? ev.value("phase", "") : ev.value("shard_state", "");
      e.record_as = "migration";
      e.value = ev;
      e.summary = ev.value("migration_id", "?") + " " +
                  (shard < 0 ? "phase " + e.name : "shard " + std::to_string(shard) + " " + e.name);
      on_event(e);
    });
  }

  void stop_watching_events() override {
    if (watcher_) watcher_->stop();
    watcher_.reset();
  }

  // ------------------------------------------------------------ MiroirHooks

  nlohmann::json add_node() override {
    std::string name;
    {
      std::lock_guard lock(mu_);
      if (next_spare_ >= spares_.size())
        throw HarnessError("add-node: no spare node left (--set spare-nodes=" + std::to_string(spares_.size()) + ")");
      name = spares_[next_spare_++];
    }
    NodeProcess& proc = *procs_.at(name);
    proc.start();
    wait_ready(name, ready_);
    nlohmann::json r = miroir_admin::add_node(addresses_.at(coordinator()), name, addresses_.at(name),
                                              static_cast<uint32_t>(new_node_group()));
    r["node"] = name;
    r["group"] = new_node_group();
    if (r.contains("refused")) {
      proc.stop(milliseconds(5000));  // nothing joined: the spare goes back to sleep
      ECLAT_LOG(warn, "miroir") << "add " << name << " refused: " << r.dump();
      return r;
    }
    std::lock_guard lock(mu_);
    nodes_.push_back(name);
    newest_ = name;
    return r;
  }

  nlohmann::json remove_node(const std::string& node) override {
    std::string target = node;
    if (target.empty()) {
      // The last initial node of the group nodes are added to.
      for (int i = cfg_.nodes; i >= 1 && target.empty(); --i)
        if (initial_group(i) == new_node_group()) target = "n" + std::to_string(i);
    }
    nlohmann::json r = miroir_admin::remove_node(addresses_.at(coordinator()), target);
    r["node"] = target;
    return r;
  }

  std::string newest_node() const override {
    std::lock_guard lock(mu_);
    return newest_;
  }

  std::string coordinator() const override { return orchestrators_.front(); }

  void set_drain_stall(milliseconds stall) override {
    miroir_admin::set_drain_stall(addresses_.at(coordinator()), stall);
  }

  nlohmann::json wait_migrations(milliseconds timeout) override {
    const std::string address = addresses_.at(coordinator());
    return miroir_admin::wait_migrations([address] { return address; }, timeout);
  }

  nlohmann::json anti_entropy_now() override {
    return miroir_admin::run_anti_entropy(addresses_.at(coordinator()), milliseconds(300000));
  }

  nlohmann::json inspect() override {
    std::map<std::string, std::string> nodes;
    for (const auto& n : db_nodes()) nodes[n] = addresses_.at(n);
    return miroir_admin::inspect(addresses_.at(coordinator()), nodes);
  }

  // Shards the first spare takes in its group, by the routing every
  // orchestrator uses; then ids "0h0", "0h1", ... that land on them. They
  // sort before the numeric elements (a node lists a shard in id order), so
  // the background copy passes them early in dual-write, where the copy's
  // hazards are: a later write that fails on the new node leaves it the
  // copy's version.
  // The shard the orchestrator routes a document id to, and its owners in
  // every replica group under the configured topology.
  nlohmann::json placement(const std::string& key) const override {
    const auto c = cluster_config();
    const uint32_t shard = miroir::shard_for_key(key, c.shards);
    nlohmann::json owners = nlohmann::json::array();
    for (const auto& group : c.groups())
      for (const auto& n : miroir::owners(shard, group, c.replication_factor)) owners.push_back(n);
    return {{"shard", shard}, {"owners", owners}};
  }

  std::vector<std::string> keys_on_moving_shards(size_t count) const override {
    const auto c = cluster_config();
    std::vector<std::string> group;
    for (const auto& n : c.nodes)
      if (static_cast<int>(n.group) == new_node_group()) group.push_back(n.name);
    std::vector<std::string> grown = group;
    grown.push_back("n" + std::to_string(cfg_.nodes + 1));
    std::set<uint32_t> moving;
    for (uint32_t s = 0; s < c.shards; ++s)
      if (miroir::owners(s, group, c.replication_factor) != miroir::owners(s, grown, c.replication_factor))
        moving.insert(s);
    std::vector<std::string> keys;
    for (uint64_t i = 0; keys.size() < count && i < 1000000; ++i) {
      std::string k = "0h" + std::to_string(i);
      if (moving.empty() || moving.count(miroir::shard_for_key(k, c.shards))) keys.push_back(k);
    }
    return keys;
  }

 private:
  miroir::ClusterConfig cluster_config() const {
    miroir::ClusterConfig c;
    c.shards = static_cast<uint32_t>(kShards(cfg_.settings));
    c.replication_factor = static_cast<uint32_t>(kRf(cfg_.settings));
    int groups = static_cast<int>(kGroups(cfg_.settings));
    if (groups > cfg_.nodes)
      throw BadInput("setting groups=" + std::to_string(groups) + ": more groups than the " +
                     std::to_string(cfg_.nodes) + " nodes");
    c.index = "docs";
    for (int i = 1; i <= cfg_.nodes; ++i) {
      miroir::NodeConfig n;
      n.name = "n" + std::to_string(i);
      n.address = ip_of(i) + ":" + std::to_string(kNodePort);
      n.group = static_cast<uint32_t>(initial_group(i));
      c.nodes.push_back(n);
    }
    return c;
  }

  int initial_group(int i) const {
    const int groups = static_cast<int>(kGroups(cfg_.settings));
    return (i - 1) * groups / cfg_.nodes;
  }

  // Spare nodes for add-node: by default one when the run adds a node.
  int spare_count() const {
    bool adds = cfg_.workload == "migration" || mentions(cfg_.nemesis, "add-node");
    for (const auto& t : cfg_.triggers) adds = adds || t.value("fault", "") == "add-node";
    const int spares = static_cast<int>(kSpareNodes(cfg_.settings, adds ? 1 : 0));
    if (cfg_.nodes + spares > kOrchestratorIndex - 1)
      throw BadInput("--nodes " + std::to_string(cfg_.nodes) + " with spare-nodes=" + std::to_string(spares) +
                     ": miroir supports at most " + std::to_string(kOrchestratorIndex - 1) + " storage nodes");
    return spares;
  }

  int new_node_group() const {
    const int groups = static_cast<int>(kGroups(cfg_.settings));
    return static_cast<int>(cfg_.settings.get_int(kNewNodeGroup.key, 0, 0, groups - 1));
  }

  int64_t drain_deadline_ms() const {
    return ms_of(kDrainDeadline, cfg_).count();
  }

  int64_t copy_page_size() const { return kCopyPageSize(cfg_.settings); }

  int64_t copy_pause_ms() const {
    return ms_of(kCopyPause, cfg_).count();
  }

  int orchestrator_count() const {
    return static_cast<int>(kOrchestrators(cfg_.settings));
  }

  std::string read_policy() const {
    return kUnavailableShards(cfg_.settings);
  }

  // --set anti-entropy=false: every orchestrator runs with --anti-entropy off.
  bool anti_entropy() const { return kAntiEntropy(cfg_.settings); }

  milliseconds ready_timeout() const { return ms_of(kReadyTimeout, cfg_); }

  TestConfig cfg_;
  mutable std::mutex mu_;                // nodes_, next_spare_, newest_ (the nemesis adds nodes)
  std::vector<std::string> nodes_;       // started storage nodes, spares once added
  std::vector<std::string> spares_;      // laid out, started by add_node()
  size_t next_spare_ = 0;
  std::string newest_;
  milliseconds ready_{20000};
  std::unique_ptr<miroir_admin::PhaseWatcher> watcher_;
  std::map<std::string, std::string> addresses_;
  std::vector<std::string> orchestrators_;
  std::map<std::string, std::unique_ptr<NodeProcess>> procs_;
};

PartInfo record() {
  PartInfo p{.name = "miroir",
             .doc = "the miroir stand-in: storage nodes (miroir-node) and orchestrators (miroir-orchestrator), "
                    "sharded and replicated; membership changes by shard migration",
             .settings = {&kShards, &kRf, &kGroups, &kOrchestrators, &kUnavailableShards, &kAntiEntropy, &kSpareNodes,
                          &kNewNodeGroup, &kDrainDeadline, &kCopyPageSize, &kCopyPause, &kOpTimeout, &kReadyTimeout},
             .events = {{"phase", kPhases}, {"shard", kShardStates}},
             .process_names = {"miroir-node", "miroir-orchestrator"}};
  for (const auto* bugs : {&kNodeBugs, &kOrchestratorBugs}) p.bugs.insert(bugs->begin(), bugs->end());
  return p;
}

const bool registered =
    register_system(record(), [](const TestConfig& cfg) { return std::make_unique<Miroir>(cfg); });

}  // namespace
}  // namespace eclat
