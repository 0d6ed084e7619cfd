// The miroir adapter: N storage nodes n1..nN at 198.18.0.1..N (groups split
// evenly, in order), one orchestrator o1 at 198.18.0.101, the cluster
// configuration written to <run>/cluster.json, each process's data and logs
// under <run>/nodes/<name>/.
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "cluster/systems/miroir_client.hpp"
#include "cluster/systems/system.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/paths.hpp"
#include "miroir.grpc.pb.h"
#include "miroir/common/cluster_config.hpp"
#include "miroir/common/grpc_options.hpp"

namespace eclat {
namespace {

using std::chrono::milliseconds;
constexpr int kNodePort = 7700;
constexpr int kOrchestratorPort = 7600;
constexpr int kOrchestratorIndex = 101;

// Bug switches of the storage node (positive controls, see miroir.md).
const std::set<std::string> kNodeBugs = {"ack-before-durable"};

std::string ip_of(int index) { return "198.18.0." + std::to_string(index); }

class Miroir : public System {
 public:
  explicit Miroir(const TestConfig& cfg) : cfg_(cfg) {}

  void validate(const TestConfig& cfg) const override {
    for (const auto& b : cfg.bugs) {
      if (!kNodeBugs.count(b)) {
        std::string known;
        for (const auto& k : kNodeBugs) known += (known.empty() ? "" : ", ") + k;
        throw BadInput("unknown bug switch \"" + b + "\" for miroir (known: " + known + ")");
      }
    }
    if (cfg.nodes > kOrchestratorIndex - 1)
      throw BadInput("--nodes " + std::to_string(cfg.nodes) + ": miroir supports at most " +
                     std::to_string(kOrchestratorIndex - 1) + " storage nodes");
    try {
      cluster_config().validate();
    } catch (const std::invalid_argument& e) {
      throw BadInput("miroir topology --nodes " + std::to_string(cfg.nodes) + " --set shards=" +
                     cfg.settings.get_string("shards", "16") + " rf=" + cfg.settings.get_string("rf", "1") +
                     " groups=" + cfg.settings.get_string("groups", "1") + ": " + e.what());
    }
  }

  void setup(Network& net, const std::filesystem::path& run_dir) override {
    auto cluster = cluster_config();
    const auto config_path = run_dir / "cluster.json";
    std::ofstream(config_path) << cluster.to_json().dump(2) << "\n";
    const auto bin = binary_dir();
    const milliseconds ready = ready_timeout();

    std::vector<std::string> bug_args;
    for (const auto& b : cfg_.bugs) {
      bug_args.push_back("--bug");
      bug_args.push_back(b);
    }
    for (int i = 1; i <= cfg_.nodes; ++i) {
      std::string name = "n" + std::to_string(i);
      const Host& host = net.add_host(name, i);
      ProcessSpec spec;
      spec.name = name;
      spec.exe = bin / "miroir-node";
      spec.args = {"--name", name, "--listen", host.ip + ":" + std::to_string(kNodePort),
                   "--data", (run_dir / "nodes" / name / "data").string()};
      spec.args.insert(spec.args.end(), bug_args.begin(), bug_args.end());
      spec.netns_fd = host.netns_fd;
      spec.log_dir = run_dir / "nodes" / name;
      addresses_[name] = host.ip + ":" + std::to_string(kNodePort);
      nodes_.push_back(name);
      procs_[name] = std::make_unique<NodeProcess>(spec);
    }
    const Host& o = net.add_host("o1", kOrchestratorIndex);
    ProcessSpec ospec;
    ospec.name = "o1";
    ospec.exe = bin / "miroir-orchestrator";
    ospec.args = {"--name", "o1", "--listen", o.ip + ":" + std::to_string(kOrchestratorPort),
                  "--config", config_path.string(), "--data", (run_dir / "nodes" / "o1" / "data").string()};
    ospec.netns_fd = o.netns_fd;
    ospec.log_dir = run_dir / "nodes" / "o1";
    orchestrator_address_ = o.ip + ":" + std::to_string(kOrchestratorPort);
    addresses_["o1"] = orchestrator_address_;
    procs_["o1"] = std::make_unique<NodeProcess>(ospec);

    for (const auto& n : nodes_) procs_[n]->start();
    for (const auto& n : nodes_) wait_ready(n, ready);
    procs_["o1"]->start();
    wait_ready("o1", ready);
  }

  std::vector<std::string> db_nodes() const override { return nodes_; }

  NodeProcess& process(const std::string& node) override { return *procs_.at(node); }

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

  std::unique_ptr<Client> client(int) override {
    return make_miroir_client(orchestrator_address_, milliseconds(static_cast<int64_t>(
                                                         cfg_.settings.get_double("op-timeout", 5, 0.1, 3600) * 1000)));
  }

  bool wait_quiescent(milliseconds timeout) override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto stub = miroir::Orchestrator::NewStub(miroir::make_channel(orchestrator_address_));
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
    // The orchestrator first, so that nothing writes to a stopping node.
    if (auto it = procs_.find("o1"); it != procs_.end()) it->second->stop(milliseconds(5000));
    for (const auto& n : nodes_) procs_[n]->stop(milliseconds(5000));
  }

 private:
  miroir::ClusterConfig cluster_config() const {
    miroir::ClusterConfig c;
    c.shards = static_cast<uint32_t>(cfg_.settings.get_int("shards", 16, 1, 1 << 20));
    c.replication_factor = static_cast<uint32_t>(cfg_.settings.get_int("rf", 1, 1, 1000));
    int groups = static_cast<int>(cfg_.settings.get_int("groups", 1, 1, 1000));
    if (groups > cfg_.nodes)
      throw BadInput("setting groups=" + std::to_string(groups) + ": more groups than the " +
                     std::to_string(cfg_.nodes) + " nodes");
    c.index = "docs";
    for (int i = 1; i <= cfg_.nodes; ++i) {
      miroir::NodeConfig n;
      n.name = "n" + std::to_string(i);
      n.address = ip_of(i) + ":" + std::to_string(kNodePort);
      n.group = static_cast<uint32_t>((i - 1) * groups / cfg_.nodes);
      c.nodes.push_back(n);
    }
    return c;
  }

  milliseconds ready_timeout() const {
    return milliseconds(static_cast<int64_t>(cfg_.settings.get_double("ready-timeout", 20, 1, 3600) * 1000));
  }

  TestConfig cfg_;
  std::vector<std::string> nodes_;
  std::map<std::string, std::string> addresses_;
  std::map<std::string, std::unique_ptr<NodeProcess>> procs_;
  std::string orchestrator_address_;
};

const bool registered =
    register_system("miroir", [](const TestConfig& cfg) { return std::make_unique<Miroir>(cfg); });

}  // namespace
}  // namespace eclat
