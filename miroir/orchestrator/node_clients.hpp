// gRPC stubs to every node of the configuration (channels made with the
// shared settings of grpc_options), and CallGroup, which waits for a set of
// parallel callback-API calls: the orchestrator always fans out in parallel
// and bounds every call with a deadline, so one dead node costs one deadline,
// not one per node.
#pragma once
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "miroir.grpc.pb.h"
#include "miroir/common/cluster_config.hpp"
#include "miroir/common/grpc_options.hpp"

namespace miroir::orchestrator {

// Deadlines of the RPCs to nodes.
inline constexpr std::chrono::milliseconds kNodeWriteTimeout{1000};
inline constexpr std::chrono::milliseconds kNodeReadTimeout{2000};
inline constexpr std::chrono::milliseconds kNodeStatsTimeout{1000};

// Nodes are append-only (topology.hpp): a node added by a migration gets the
// next index, and a stub handed out stays valid for the life of the object.
class NodeClients {
 public:
  explicit NodeClients(const ClusterConfig& config);
  miroir::Node::StubInterface& stub(int node) {
    std::lock_guard lock(mu_);
    return *stubs_.at(static_cast<size_t>(node));
  }
  size_t size() const {
    std::lock_guard lock(mu_);
    return stubs_.size();
  }
  // Appends a stub for each address beyond the current size (index order).
  void ensure(const std::vector<std::string>& addresses);

 private:
  mutable std::mutex mu_;
  std::deque<std::unique_ptr<miroir::Node::Stub>> stubs_;
};

class CallGroup {
 public:
  // A completion callback that stores the status in *out and counts down.
  std::function<void(grpc::Status)> expect(grpc::Status* out);
  void wait();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int outstanding_ = 0;
};

// One parallel call to every node of the configuration, each bounded by
// `timeout`: start(stub, ctx, reply, done) issues the call with the callback
// API. Answers are indexed by node.
template <class Reply>
struct NodeAnswer {
  grpc::ClientContext ctx;
  Reply reply;
  grpc::Status status;
};

template <class Reply, class Start>
std::vector<std::unique_ptr<NodeAnswer<Reply>>> call_every_node(NodeClients& nodes,
                                                                 std::chrono::milliseconds timeout, Start start) {
  std::vector<std::unique_ptr<NodeAnswer<Reply>>> answers;
  CallGroup group;
  for (size_t i = 0; i < nodes.size(); ++i) {
    auto a = std::make_unique<NodeAnswer<Reply>>();
    set_deadline(a->ctx, timeout);
    start(nodes.stub(static_cast<int>(i)), &a->ctx, &a->reply, group.expect(&a->status));
    answers.push_back(std::move(a));
  }
  group.wait();
  return answers;
}

}  // namespace miroir::orchestrator
