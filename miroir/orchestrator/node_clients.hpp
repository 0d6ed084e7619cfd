// gRPC stubs to every node of the configuration (channels made with the
// shared settings of grpc_options), and CallGroup, which waits for a set of
// parallel callback-API calls: the orchestrator always fans out in parallel
// and bounds every call with a deadline, so one dead node costs one deadline,
// not one per node.
#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "miroir.grpc.pb.h"
#include "miroir/common/cluster_config.hpp"

namespace miroir::orchestrator {

// Deadlines of the RPCs to nodes.
inline constexpr std::chrono::milliseconds kNodeWriteTimeout{1000};
inline constexpr std::chrono::milliseconds kNodeReadTimeout{2000};
inline constexpr std::chrono::milliseconds kNodeStatsTimeout{1000};

class NodeClients {
 public:
  explicit NodeClients(const ClusterConfig& config);
  miroir::Node::StubInterface& stub(int node) { return *stubs_.at(node); }
  size_t size() const { return stubs_.size(); }

 private:
  std::vector<std::unique_ptr<miroir::Node::Stub>> stubs_;
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

}  // namespace miroir::orchestrator
