// The etcd adapter: Debian's etcd-server (3.4) as a system under test. N
// members n1..nN, each in its own lab host (198.18.0.i), client port 2379 and
// peer port 2380, the initial cluster built from the lab addresses; each
// member's data directory and logs under <run>/nodes/<name>/. Client i talks
// to member i mod N, from the control namespace (the clients are never
// partitioned, as in Jepsen). The leader is the system's primary: every
// member is asked its Status and the leader id is mapped back to a name.
//
// Settings: read-mode=linearizable|serializable (how reads are served, see
// client.hpp), op-timeout, ready-timeout.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "cluster/system.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "etcd/rpc.grpc.pb.h"
#include "systems/etcd/client.hpp"
#include "systems/etcd/settings.hpp"

namespace eclat {
namespace {

using std::chrono::milliseconds;
using etcd_settings::kReadMode;
using steady = std::chrono::steady_clock;
constexpr int kClientPort = 2379;
constexpr int kPeerPort = 2380;
constexpr int kMaxMembers = 100;
// A member answering SIGTERM first hands its leadership over; once its peers
// are gone it waits for them for ~8 s. Past this grace it is killed.
constexpr milliseconds kStopGrace{3000};

// The etcd executable on PATH, empty when absent.
std::string find_etcd() {
  const char* path = std::getenv("PATH");
  std::string dirs = path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/etcd";
    if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return {};
}

EtcdReads read_mode(const TestConfig& cfg) {
  return kReadMode(cfg.settings) == "serializable" ? EtcdReads::serializable : EtcdReads::linearizable;
}

// One member's answer to Status.
struct MemberStatus {
  uint64_t id = 0, leader = 0, term = 0, commit = 0, applied = 0;
};

class Etcd : public System {
 public:
  explicit Etcd(const TestConfig& cfg) : cfg_(cfg) {}

  void validate(const TestConfig& cfg) const override {
    if (!cfg.bugs.empty())
      throw BadInput("unknown bug switch \"" + cfg.bugs.front() + "\" for etcd (it has none)");
    if (cfg.nodes > kMaxMembers)
      throw BadInput("--nodes " + std::to_string(cfg.nodes) + ": the etcd adapter supports at most " +
                     std::to_string(kMaxMembers) + " members");
    read_mode(cfg);
    if (find_etcd().empty())
      throw BadInput("--system etcd: no etcd executable on PATH (install Debian's etcd-server: "
                     "apt-get install etcd-server, as setup.sh does)");
  }

  void setup(Network& net, const std::filesystem::path& run_dir) override {
    const std::string exe = find_etcd();
    if (exe.empty()) throw HarnessError("etcd is not installed (apt-get install etcd-server)");
    std::string initial_cluster;
    std::vector<const Host*> hosts;
    for (int i = 1; i <= cfg_.nodes; ++i) {
      const std::string name = "n" + std::to_string(i);
      const Host& host = net.add_host(name, i);
      hosts.push_back(&host);
      initial_cluster += (initial_cluster.empty() ? "" : ",") + name + "=" + peer_url(host.ip);
    }
    for (const Host* host : hosts) {
      const std::string& name = host->name;
      const auto dir = run_dir / "nodes" / name;
      const std::string client_url = "http://" + host->ip + ":" + std::to_string(kClientPort);
      ProcessSpec spec;
      spec.name = name;
      spec.exe = exe;
      // On a restart the data directory holds the WAL: etcd ignores the
      // initial-cluster flags and rejoins as the member it was.
      spec.args = {"--name", name,
                   "--data-dir", (dir / "data").string(),
                   "--listen-client-urls", client_url,
                   "--advertise-client-urls", client_url,
                   "--listen-peer-urls", peer_url(host->ip),
                   "--initial-advertise-peer-urls", peer_url(host->ip),
                   "--initial-cluster", initial_cluster,
                   "--initial-cluster-state", "new",
                   "--initial-cluster-token", "eclat",
                   "--logger", "zap",
                   "--log-outputs", "stderr"};
      spec.netns_fd = host->netns_fd;
      spec.log_dir = dir;
      addresses_[name] = host->ip + ":" + std::to_string(kClientPort);
      channels_[name] = make_etcd_channel(addresses_[name]);
      nodes_.push_back(name);
      procs_[name] = std::make_unique<NodeProcess>(spec);
    }
    // All at once: a member serves clients only once the cluster has a quorum.
    for (const auto& n : nodes_) procs_[n]->start();
    const milliseconds ready = ready_timeout();
    for (const auto& n : nodes_) wait_ready(n, ready);
    // Every member answered, so every member id is known; now a leader.
    const auto deadline = steady::now() + ready;
    while (primary().empty()) {
      if (steady::now() >= deadline)
        throw HarnessError("etcd elected no leader within " + std::to_string(ready.count() / 1000) + " s");
      std::this_thread::sleep_for(milliseconds(100));
    }
    ECLAT_LOG(info, "etcd") << nodes_.size() << " members ready, leader " << primary();
  }

  std::vector<std::string> db_nodes() const override { return nodes_; }

  NodeProcess& process(const std::string& node) override { return *procs_.at(node); }

  // Ready: the member answers Status (it does only once it has published
  // itself through the cluster, i.e. once it reaches a quorum).
  void wait_ready(const std::string& node, milliseconds timeout) override {
    const auto start = steady::now();
    const auto deadline = start + timeout;
    NodeProcess& proc = *procs_.at(node);
    std::string last_error = "no answer";
    while (steady::now() < deadline) {
      if (!proc.running()) {
        last_error = "the process exited";
        break;
      }
      MemberStatus s;
      grpc::Status st = status(node, milliseconds(500), s);
      if (st.ok()) {
        ECLAT_LOG(debug, "etcd") << node << " ready after "
                                 << std::chrono::duration<double>(steady::now() - start).count() << " s";
        return;
      }
      last_error = st.error_message();
      std::this_thread::sleep_for(milliseconds(100));
    }
    throw HarnessError("etcd member " + node + " (" + addresses_.at(node) + ") did not become ready within " +
                       std::to_string(timeout.count() / 1000.0).substr(0, 5) + " s: " + last_error +
                       "\n--- last lines of its log ---\n" + proc.log_tail(20));
  }

  // Worker i talks to member i mod N (the final phase's worker -1 to n1).
  std::unique_ptr<Client> client(int worker) override {
    const auto k = static_cast<int>(nodes_.size());
    const std::string& n = nodes_[static_cast<size_t>(((worker % k) + k) % k)];
    return make_etcd_client(addresses_.at(n), op_timeout(), read_mode(cfg_));
  }

  // Quiescent: every member answers, all follow the same leader, and every
  // member has committed and applied the same raft index.
  bool wait_quiescent(milliseconds timeout) override {
    const auto deadline = steady::now() + timeout;
    std::string last = "no answer";
    while (steady::now() < deadline) {
      std::vector<MemberStatus> all;
      for (const auto& n : nodes_) {
        MemberStatus s;
        grpc::Status st = status(n, milliseconds(1000), s);
        if (!st.ok()) {
          last = n + ": " + st.error_message();
          break;
        }
        all.push_back(s);
      }
      if (all.size() == nodes_.size()) {
        bool same = all.front().leader != 0;
        for (const auto& s : all)
          same = same && s.leader == all.front().leader && s.commit == all.front().commit && s.applied == s.commit;
        if (same) return true;
        last = "members disagree on leader or raft index";
      }
      std::this_thread::sleep_for(milliseconds(200));
    }
    ECLAT_LOG(warn, "etcd") << "not quiescent: " << last;
    return false;
  }

  // Followers first, all at once, then the leader. An etcd leader told to
  // stop first hands its leadership to the peer it has been connected to the
  // longest, and waits for that (up to its request timeout, seconds) when
  // the peer is itself stopping: every run overshot its time limit by the
  // grace. Once its peers are gone it has nobody to hand over to and stops
  // at once.
  void teardown() override {
    const std::string leader = primary();
    auto stop_all = [this](const std::vector<std::string>& which) {
      std::vector<std::thread> stops;
      for (const auto& n : which) stops.emplace_back([this, n] { procs_[n]->stop(kStopGrace); });
      for (auto& t : stops) t.join();
    };
    std::vector<std::string> followers;
    for (const auto& n : nodes_)
      if (n != leader) followers.push_back(n);
    stop_all(followers);
    if (!leader.empty()) stop_all({leader});
  }

  bool can_cas() const override { return true; }

  bool has_primary() const override { return true; }

  // The leader as the members see it: among the members that answer, the
  // one with the highest raft term names it (an isolated former leader may
  // still believe in itself at an older term). Empty when none is known.
  std::string primary() override {
    uint64_t best_term = 0, leader = 0;
    for (const auto& n : nodes_) {
      MemberStatus s;
      if (!status(n, milliseconds(300), s).ok() || s.leader == 0) continue;
      if (s.term > best_term || leader == 0) {
        best_term = s.term;
        leader = s.leader;
      }
    }
    std::lock_guard lock(mu_);
    auto it = names_.find(leader);
    return it == names_.end() ? std::string() : it->second;
  }

 private:
  static std::string peer_url(const std::string& ip) { return "http://" + ip + ":" + std::to_string(kPeerPort); }

  // Asks one member its Status; learns its member id on the way.
  grpc::Status status(const std::string& node, milliseconds timeout, MemberStatus& out) {
    auto stub = etcdserverpb::Maintenance::NewStub(channels_.at(node));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + timeout);
    etcdserverpb::StatusRequest req;
    etcdserverpb::StatusResponse rep;
    grpc::Status st = stub->Status(&ctx, req, &rep);
    if (!st.ok()) return st;
    out.id = rep.header().member_id();
    out.leader = rep.leader();
    out.term = rep.raftterm();
    out.commit = rep.raftindex();
    out.applied = rep.raftappliedindex();
    std::lock_guard lock(mu_);
    names_[out.id] = node;
    return st;
  }

  milliseconds op_timeout() const { return ms_of(kOpTimeout, cfg_); }
  milliseconds ready_timeout() const { return ms_of(kReadyTimeout, cfg_); }

  TestConfig cfg_;
  std::vector<std::string> nodes_;
  std::map<std::string, std::string> addresses_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
  std::map<std::string, std::unique_ptr<NodeProcess>> procs_;
  std::mutex mu_;                          // names_ (the nemesis and the runner ask)
  std::map<uint64_t, std::string> names_;  // member id -> node name
};

const bool registered = register_system(
    {.name = "etcd",
     .doc = "Debian's etcd-server (3.4): one member per lab host, the leader as the primary; register with cas",
     .settings = {&kReadMode, &kOpTimeout, &kReadyTimeout},
     .process_names = {"etcd"}},
    [](const TestConfig& cfg) { return std::make_unique<Etcd>(cfg); });

}  // namespace
}  // namespace eclat
