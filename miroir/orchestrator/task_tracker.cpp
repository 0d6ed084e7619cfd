#include "miroir/orchestrator/task_tracker.hpp"

#include <algorithm>
#include <thread>

#include "miroir/common/grpc_options.hpp"

namespace miroir::orchestrator {

namespace {
using Clock = std::chrono::steady_clock;
constexpr uint32_t kMaxWaitMs = 60000;
// Extra time a node gets beyond the long-poll wait to send its answer.
constexpr std::chrono::milliseconds kReplyGrace{1000};
// Pause before asking again after a node answered early without a final
// status (a down node fails fast; do not spin).
constexpr std::chrono::milliseconds kRetryPause{100};
constexpr std::chrono::milliseconds kRoundWait{1000};

struct Part {
  int node = -1;  // index in the topology, -1 if the node is not in it
  NodeTaskRef ref;
  std::string status = "enqueued";  // last known
  std::string error;
  bool reachable = true;
  bool final() const { return status == "succeeded" || status == "failed"; }
};

struct Poll {
  NodeTaskRequest request;
  NodeTaskReply reply;
  grpc::ClientContext ctx;
  grpc::Status status;
};
}  // namespace

TaskTracker::TaskTracker(const Topology& topology, NodeClients& nodes, TaskStore& tasks)
    : topology_(topology), nodes_(nodes), tasks_(tasks) {}

TaskReply TaskTracker::get(const TaskRequest& request, const std::function<bool()>& cancelled) {
  TaskReply reply;
  reply.set_task_id(request.task_id());
  auto refs = tasks_.get(request.task_id());
  if (!refs) {
    reply.set_status("unknown");
    return reply;
  }
  // A verdict overrides the node tasks: a dual-write still undecided at a
  // drain deadline stays "unknown" for good (task_store.hpp).
  if (auto v = tasks_.verdict(request.task_id())) {
    reply.set_status(v->first);
    reply.set_error(v->second);
    return reply;
  }
  std::vector<Part> parts;
  for (auto& r : *refs) {
    Part p;
    p.node = topology_.find(r.node);
    p.ref = r;
    parts.push_back(std::move(p));
  }

  const auto deadline = Clock::now() + std::chrono::milliseconds(std::min(request.wait_ms(), kMaxWaitMs));
  for (bool first = true;; first = false) {
    // Ask every node whose task is not final yet, in parallel.
    // Nodes are asked in rounds of at most kRoundWait, so a cancelled call
    // (client gone, server shutting down) is noticed between rounds.
    const auto round_start = Clock::now();
    auto remaining = std::max(Clock::duration::zero(), deadline - round_start);
    auto round_wait = std::min(std::chrono::duration_cast<std::chrono::milliseconds>(remaining), kRoundWait);
    std::vector<std::pair<Part*, std::unique_ptr<Poll>>> polls;
    {
      CallGroup group;
      for (auto& p : parts) {
        if (p.final()) continue;
        if (p.node < 0) {  // topology changed under an old task
          p.reachable = false;
          p.error = "node " + p.ref.node + " is not in the topology";
          continue;
        }
        auto poll = std::make_unique<Poll>();
        poll->request.set_task_uid(p.ref.uid);
        poll->request.set_wait_ms(static_cast<uint32_t>(round_wait.count()));
        set_deadline(poll->ctx, round_wait + kReplyGrace);
        nodes_.stub(p.node).async()->GetTask(&poll->ctx, &poll->request, &poll->reply,
                                            group.expect(&poll->status));
        polls.emplace_back(&p, std::move(poll));
      }
      group.wait();
    }
    for (auto& [p, poll] : polls) {
      if (!poll->status.ok()) {
        p->reachable = false;
        p->error = "node " + p->ref.node + " unreachable: " + poll->status.error_message();
        continue;
      }
      p->reachable = true;
      if (poll->reply.status() == "unknown") {
        // A node that forgot an acknowledged task lost data (only the
        // ack-before-durable control does that). The outcome is unknown, so
        // keep reporting it pending rather than claim a definite failure.
        p->status = "processing";
        p->error = "node " + p->ref.node + " does not know task " + std::to_string(p->ref.uid);
      } else {
        p->status = poll->reply.status();
        p->error = poll->reply.error();
      }
    }

    // Aggregate.
    const Part* failed = nullptr;
    bool all_succeeded = true, any_processing = false;
    for (const auto& p : parts) {
      if (p.status == "failed" && !failed) failed = &p;
      if (p.status != "succeeded") all_succeeded = false;
      if (p.status == "processing" || !p.reachable) any_processing = true;
    }
    if (failed) {
      reply.set_status("failed");
      reply.set_error("node " + failed->ref.node + " task " + std::to_string(failed->ref.uid) +
                      ": " + failed->error);
      return reply;
    }
    if (all_succeeded) {
      reply.set_status("succeeded");
      return reply;
    }
    if (Clock::now() >= deadline || (first && request.wait_ms() == 0) || cancelled()) {
      reply.set_status(any_processing ? "processing" : "enqueued");
      for (const auto& p : parts)
        if (!p.error.empty()) {
          reply.set_error(p.error);
          break;
        }
      return reply;
    }
    // Every poll has returned, the task is not final and time remains. If the
    // round ended early, a node failed fast (down) or forgot the task: pause
    // before asking again rather than spin.
    if (Clock::now() - round_start < round_wait)
      std::this_thread::sleep_for(std::min<Clock::duration>(kRetryPause, deadline - Clock::now()));
  }
}

}  // namespace miroir::orchestrator
