#include "miroir/orchestrator/node_clients.hpp"

#include "miroir/common/grpc_options.hpp"

namespace miroir::orchestrator {

NodeClients::NodeClients(const ClusterConfig& config) {
  for (const auto& n : config.nodes) stubs_.push_back(miroir::Node::NewStub(make_channel(n.address)));
}

void NodeClients::ensure(const std::vector<std::string>& addresses) {
  std::lock_guard lock(mu_);
  for (size_t i = stubs_.size(); i < addresses.size(); ++i)
    stubs_.push_back(miroir::Node::NewStub(make_channel(addresses[i])));
}

std::function<void(grpc::Status)> CallGroup::expect(grpc::Status* out) {
  {
    std::lock_guard lock(mu_);
    ++outstanding_;
  }
  return [this, out](grpc::Status s) {
    *out = std::move(s);
    // Notify under the lock: once the count reaches zero the waiter may
    // destroy this group as soon as it can take the mutex.
    std::lock_guard lock(mu_);
    if (--outstanding_ == 0) cv_.notify_all();
  };
}

void CallGroup::wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return outstanding_ == 0; });
}

}  // namespace miroir::orchestrator
