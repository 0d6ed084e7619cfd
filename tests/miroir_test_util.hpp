// Helpers for the miroir integration tests: temporary directories, free
// localhost ports, real child processes (miroir-node, miroir-orchestrator)
// started from the build root, and health waits. No mocks: the tests talk
// gRPC to the real binaries.
#pragma once
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "miroir.grpc.pb.h"
#include "miroir/common/cluster_config.hpp"
#include "miroir/common/grpc_options.hpp"

namespace miroir::test {

// Where miroir-node and miroir-orchestrator were built (compile definition).
inline std::string binary(const std::string& name) { return std::string(MIROIR_BIN_DIR) + "/" + name; }

class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("miroir-test-" + tag + "-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    if (!std::getenv("MIROIR_TEST_KEEP")) std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& sub) const { return (path_ / sub).string(); }

 private:
  std::filesystem::path path_;
};

// A port the kernel just handed out on 127.0.0.1 (closed again: a tiny race
// with other programs).
inline int kernel_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("bind");
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// A free port never given before in this test process: the kernel may hand
// a just-closed port out again, and two nodes of one test cluster on one
// address make the orchestrator refuse its configuration.
inline int free_port() {
  static std::set<int> given;
  for (;;) {
    const int p = kernel_port();
    if (given.insert(p).second) return p;
  }
}

// A child process; killed (SIGKILL) when the object dies, and by the kernel
// when the test process dies (PR_SET_PDEATHSIG).
class Child {
 public:
  Child(std::vector<std::string> argv, const std::string& log_path) {
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~Child() { kill9(); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  bool running() {
    if (exited_) return false;
    int st;
    pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      exited_ = true;
      status_ = st;
      return false;
    }
    return true;
  }
  void kill9() {
    if (!running()) return;
    ::kill(pid_, SIGKILL);
    wait();
  }
  // SIGTERM, then wait up to `timeout`; returns the exit code (or -signal).
  int term(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    if (running()) ::kill(pid_, SIGTERM);
    auto end = std::chrono::steady_clock::now() + timeout;
    while (running() && std::chrono::steady_clock::now() < end)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (running()) kill9();
    return exit_code();
  }
  int wait() {
    if (!exited_) {
      int st;
      if (waitpid(pid_, &st, 0) == pid_) status_ = st;
      exited_ = true;
    }
    return exit_code();
  }
  int exit_code() const {
    if (WIFEXITED(status_)) return WEXITSTATUS(status_);
    if (WIFSIGNALED(status_)) return -WTERMSIG(status_);
    return -1000;
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int status_ = 0;
};

// Waits until a miroir.Node or miroir.Orchestrator answers Health.
template <class Service>
bool wait_healthy(const std::string& address, Child& child,
                  std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
  auto stub = Service::NewStub(make_channel(address));
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (!child.running()) return false;
    grpc::ClientContext ctx;
    set_deadline(ctx, std::chrono::milliseconds(300));
    Empty e;
    HealthReply r;
    if (stub->Health(&ctx, e, &r).ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  return false;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A miroir-node on 127.0.0.1 with its own data directory; restartable.
class NodeProcess {
 public:
  NodeProcess(std::string name, const TempDir& dir)
      : name_(std::move(name)),
        address_("127.0.0.1:" + std::to_string(free_port())),
        data_(dir / ("data-" + name_)),
        log_(dir / (name_ + ".log")) {}

  void start(const std::vector<std::string>& extra = {}) {
    spawn(extra);
    wait_ready();
  }
  // spawn() then wait_ready(): lets a cluster start its processes in parallel.
  void spawn(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {binary("miroir-node"), "--name", name_, "--listen", address_,
                                     "--data", data_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    child_ = std::make_unique<Child>(argv, log_);
  }
  void wait_ready() {
    if (!wait_healthy<miroir::Node>(address_, *child_))
      throw std::runtime_error("node " + name_ + " did not start: " + read_file(log_));
  }
  void kill9() {
    if (child_) child_->kill9();
  }
  int stop() { return child_ ? child_->term() : -1; }

  const std::string& name() const { return name_; }
  const std::string& address() const { return address_; }
  const std::string& log() const { return log_; }
  std::unique_ptr<miroir::Node::Stub> stub() const { return miroir::Node::NewStub(make_channel(address_)); }

 private:
  std::string name_, address_, data_, log_;
  std::unique_ptr<Child> child_;
};

// The shape of a LocalCluster: nodes per replica group (n1, n2, ... numbered
// across groups in order), RF, shards, and the orchestrators in front.
struct ClusterOptions {
  std::vector<int> nodes_per_group = {3};
  uint32_t rf = 1;
  uint32_t shards = 16;
  // Extra flags of every orchestrator, e.g. {"--bug", "ack-any-status"}.
  std::vector<std::string> orchestrator_args = {};
  // o1, o2, ...: all share one --data directory (how orchestrators of one
  // cluster share their task map).
  int orchestrators = 1;
};

// A whole cluster on 127.0.0.1: miroir-nodes and miroir-orchestrators.
class LocalCluster {
 public:
  // `nodes` miroir-nodes split evenly into `groups` replica groups (n1.. in
  // group 0, then group 1, ...) and one orchestrator started with
  // `orchestrator_args`.
  LocalCluster(const std::string& tag, int nodes, uint32_t rf, uint32_t shards = 16, uint32_t groups = 1,
               const std::vector<std::string>& orchestrator_args = {})
      : LocalCluster(tag, ClusterOptions{split(nodes, groups), rf, shards, orchestrator_args}) {}

  LocalCluster(const std::string& tag, ClusterOptions options) : dir_(tag), options_(std::move(options)) {
    config_.shards = options_.shards;
    config_.replication_factor = options_.rf;
    config_.index = "docs";
    int number = 0;
    for (uint32_t g = 0; g < options_.nodes_per_group.size(); ++g)
      for (int i = 0; i < options_.nodes_per_group[g]; ++i) {
        nodes_.push_back(std::make_unique<NodeProcess>("n" + std::to_string(++number), dir_));
        config_.nodes.push_back(NodeConfig{nodes_.back()->name(), nodes_.back()->address(), g});
      }
    for (auto& n : nodes_) n->spawn();
    std::ofstream(dir_ / "cluster.json") << config_.to_json().dump(2);
    // Nodes first: an orchestrator probes its nodes as soon as it starts, and
    // a probe refused by a node not yet listening puts that channel in
    // reconnect backoff, so the first writes could miss quorum.
    for (auto& n : nodes_) n->wait_ready();
    for (int i = 0; i < options_.orchestrators; ++i) {
      orchestrator_addresses_.push_back("127.0.0.1:" + std::to_string(free_port()));
      orchestrators_.push_back(spawn_orchestrator("o" + std::to_string(i + 1), orchestrator_addresses_[i],
                                                  options_.orchestrator_args, shared_data()));
    }
    for (int i = 0; i < options_.orchestrators; ++i)
      if (!wait_healthy<miroir::Orchestrator>(orchestrator_addresses_[i], *orchestrators_[i]))
        throw std::runtime_error("orchestrator did not start: " + read_file(orchestrator_log(i)));
  }

  // Another orchestrator over the same nodes, with its own data directory
  // and flags; stopped (SIGKILL) when the returned object dies.
  struct ExtraOrchestrator {
    std::string address;
    std::unique_ptr<Child> child;
    std::unique_ptr<miroir::Orchestrator::Stub> stub() const {
      return miroir::Orchestrator::NewStub(make_channel(address));
    }
  };
  ExtraOrchestrator start_orchestrator(const std::string& name, const std::vector<std::string>& args) {
    ExtraOrchestrator o;
    o.address = "127.0.0.1:" + std::to_string(free_port());
    o.child = spawn_orchestrator(name, o.address, args, dir_ / ("data-" + name));
    if (!wait_healthy<miroir::Orchestrator>(o.address, *o.child))
      throw std::runtime_error("orchestrator " + name + " did not start: " + read_file(dir_ / (name + ".log")));
    return o;
  }

  const ClusterConfig& config() const { return config_; }
  NodeProcess& node(const std::string& name) {
    for (auto& n : nodes_)
      if (n->name() == name) return *n;
    throw std::runtime_error("no node " + name);
  }
  std::unique_ptr<miroir::Orchestrator::Stub> stub(int i = 0) const {
    return miroir::Orchestrator::NewStub(make_channel(orchestrator_addresses_.at(i)));
  }
  const std::string& orchestrator_address(int i = 0) const { return orchestrator_addresses_.at(i); }
  std::string orchestrator_log(int i = 0) const { return dir_ / ("o" + std::to_string(i + 1) + ".log"); }
  int stop_orchestrator(int i = 0) { return orchestrators_.at(i)->term(); }
  // kill -9 of o(i+1); restart_orchestrator starts it again with the same
  // name, address, flags and data directory (and waits until it answers).
  void kill_orchestrator(int i = 0) { orchestrators_.at(i)->kill9(); }
  void restart_orchestrator(int i = 0, const std::vector<std::string>& extra_args = {}) {
    orchestrators_.at(i)->kill9();
    auto args = options_.orchestrator_args;
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    orchestrators_.at(i) =
        spawn_orchestrator("o" + std::to_string(i + 1), orchestrator_addresses_.at(i), args, shared_data());
    if (!wait_healthy<miroir::Orchestrator>(orchestrator_addresses_[i], *orchestrators_[i]))
      throw std::runtime_error("orchestrator did not restart: " + read_file(orchestrator_log(i)));
  }
  // A miroir-node outside the configuration (to be added by a migration),
  // started and answering; stopped with the cluster.
  NodeProcess& start_extra_node(const std::string& name) {
    nodes_.push_back(std::make_unique<NodeProcess>(name, dir_));
    nodes_.back()->start();
    return *nodes_.back();
  }
  const TempDir& dir() const { return dir_; }

 private:
  static std::vector<int> split(int nodes, uint32_t groups) {
    const int per_group = std::max(1, nodes / static_cast<int>(std::max<uint32_t>(groups, 1)));
    std::vector<int> out;
    for (int i = 0; i < nodes; ++i) {
      if (static_cast<size_t>(i / per_group) >= out.size()) out.push_back(0);
      ++out.back();
    }
    return out;
  }
  // The --data directory of o1, o2, ... (the existing tests name it data-o1).
  std::string shared_data() const { return dir_ / "data-o1"; }
  std::unique_ptr<Child> spawn_orchestrator(const std::string& name, const std::string& address,
                                            const std::vector<std::string>& args, const std::string& data) {
    std::vector<std::string> argv{binary("miroir-orchestrator"), "--name", name, "--listen", address,
                                  "--config", dir_ / "cluster.json", "--data", data};
    argv.insert(argv.end(), args.begin(), args.end());
    return std::make_unique<Child>(argv, dir_ / (name + ".log"));
  }

  TempDir dir_;
  ClusterOptions options_;
  ClusterConfig config_;
  std::vector<std::unique_ptr<NodeProcess>> nodes_;
  std::vector<std::string> orchestrator_addresses_;
  std::vector<std::unique_ptr<Child>> orchestrators_;
};

}  // namespace miroir::test
