#include "miroir/orchestrator/migrations.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <unordered_set>

#include "miroir/common/log.hpp"
#include "miroir/common/grpc_options.hpp"
#include "miroir/common/routing.hpp"

namespace miroir::orchestrator {

namespace {
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// The service is stopping: a coordinator leaves its migration as persisted.
struct Stopped {};

constexpr std::chrono::milliseconds kMigrationWriteTimeout{5000};
constexpr std::chrono::milliseconds kHealthTimeout{2000};
constexpr uint32_t kTaskPollMs = 1000;
constexpr size_t kDrainParallelPolls = 256;

bool ipv4_host_port(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= address.size()) return false;
  in_addr a{};
  if (inet_pton(AF_INET, address.substr(0, colon).c_str(), &a) != 1) return false;
  const std::string port = address.substr(colon + 1);
  if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  const int p = std::stoi(port);
  return p >= 1 && p <= 65535;
}

MigrationReply refuse(const std::string& code, const std::string& message) {
  MigrationReply r;
  r.set_error_code(code);
  r.set_error_message(message);
  return r;
}

std::string join_shards(const std::vector<ShardMoveRecord>& moves) {
  std::ostringstream o;
  for (size_t i = 0; i < moves.size(); ++i)
    o << (i ? ", " : "") << moves[i].shard << " " << moves[i].from << "->" << moves[i].to;
  return o.str();
}
}  // namespace

class Migrations::Watcher {
 public:
  std::deque<PhaseEvent> queue;
};

struct Migrations::Job {
  MigrationRecord rec;
  std::thread thread;
  std::atomic<bool> done{false};
};

Migrations::Migrations(std::string name, OrchestratorOptions options, Topology& topology, TopologyStore& store,
                       EpochSync& sync, NodeClients& nodes, TaskStore& tasks)
    : name_(std::move(name)),
      options_(options),
      topology_(topology),
      store_(store),
      sync_(sync),
      nodes_(nodes),
      tasks_(tasks) {}

Migrations::~Migrations() {
  shutdown();
  std::vector<std::unique_ptr<Job>> jobs;
  {
    std::lock_guard lock(mu_);
    jobs.swap(jobs_);
  }
  for (auto& j : jobs)
    if (j->thread.joinable()) j->thread.join();
}

void Migrations::shutdown() {
  stop_ = true;
  std::lock_guard lock(mu_);
  cv_.notify_all();
}

// ------------------------------------------------------------- acceptance

MigrationReply Migrations::add_node(const NodeChangeRequest& request) { return accept("add", request); }
MigrationReply Migrations::remove_node(const NodeChangeRequest& request) { return accept("remove", request); }

MigrationReply Migrations::accept(const std::string& kind, const NodeChangeRequest& request) {
  const auto& bugs = options_.bugs;
  // Safety gate (design): no delta pass and no anti-entropy would leave
  // every write that failed on the new owner lost for good.
  if (bugs.skip_delta && !options_.anti_entropy && !bugs.bypass_gate)
    return refuse("miroir_unsafe_config",
                  "refusing to " + kind + " node " + request.node() +
                      ": the delta pass is skipped (--bug skip-delta) and anti-entropy is off, so writes that "
                      "fail on the new owner during the migration would never be repaired (--bug bypass-gate "
                      "overrides)");
  const std::string& node = request.node();
  if (node.empty()) return refuse("miroir_bad_request", "no node name given");
  if (running() >= kMaxMigrations)
    return refuse("miroir_too_many_migrations",
                  std::to_string(kMaxMigrations) + " migrations are running already; retry once one completed");

  const auto snapshot = topology_.current();
  if (kind == "add") {
    if (snapshot->find(node) >= 0) return refuse("miroir_bad_request", "node name " + node + " is taken");
    if (!ipv4_host_port(request.address()))
      return refuse("miroir_bad_request", "address \"" + request.address() + "\" of node " + node +
                                              " is not an IPv4 host:port (e.g. 198.18.0.4:7700)");
    if (request.group() >= topology_.groups())
      return refuse("miroir_bad_request", "group " + std::to_string(request.group()) + " does not exist (groups 0.." +
                                              std::to_string(topology_.groups() - 1) + ")");
    // The node must answer before anything changes.
    auto stub = miroir::Node::NewStub(make_channel(request.address()));
    grpc::ClientContext ctx;
    set_deadline(ctx, kHealthTimeout);
    Empty e;
    HealthReply h;
    auto st = stub->Health(&ctx, e, &h);
    if (!st.ok())
      return refuse("miroir_bad_request", "node " + node + " at " + request.address() +
                                              " does not answer Health: " + st.error_message());
    if (h.role() != "node" || h.name() != node)
      return refuse("miroir_bad_request", "the server at " + request.address() + " is " + h.role() + " \"" +
                                              h.name() + "\", not node " + node);
  }

  MigrationRecord rec;
  std::string code, message;
  uint64_t epoch = 0;
  try {
    epoch = store_.transact([&](TopologyStore::Txn& t) {
      code.clear();
      message.clear();
      rec = MigrationRecord{};
      const TopologyState& st = t.topology();
      const uint32_t rf = topology_.rf();
      auto fail = [&](const std::string& c, const std::string& m) {
        code = c;
        message = m;
      };
      if (t.migrations(true).size() >= kMaxMigrations)
        return fail("miroir_too_many_migrations", std::to_string(kMaxMigrations) +
                                                       " migrations are running already; retry once one completed");
      auto moving = [&](uint32_t g, uint32_t s) {
        return std::any_of(st.moves.begin(), st.moves.end(),
                           [&](const TopologyMove& m) { return m.group == g && m.shard == s; });
      };
      uint32_t group = 0;
      if (kind == "add") {
        group = request.group();
        if (st.find(node) >= 0) return fail("miroir_bad_request", "node name " + node + " is taken");
        for (const auto& n : st.nodes)
          if (n.address == request.address() && n.state != "removed")
            return fail("miroir_bad_request", "address " + request.address() + " is node " + n.name + "'s");
        auto members = st.members(group);
        members.push_back(node);
        for (uint32_t s = 0; s < topology_.shards(); ++s) {
          auto target = miroir::owners(s, members, rf);
          if (std::find(target.begin(), target.end(), node) == target.end() || moving(group, s)) continue;
          // The current owner that is no longer among the owners (the
          // lowest-ranked if several).
          const auto& cur = st.owners[group][s];
          std::string from;
          for (const auto& o : cur)
            if (std::find(target.begin(), target.end(), o) == target.end()) from = o;
          if (from.empty()) continue;
          rec.moves.push_back(ShardMoveRecord{s, from, node});
        }
        if (rec.moves.empty())
          return fail("miroir_bad_request", "no shard would move to " + node + " in group " + std::to_string(group) +
                                                " (its shards are moving already)");
      } else {
        const int idx = st.find(node);
        if (idx < 0) return fail("miroir_bad_request", "no node " + node + " in the topology");
        const auto& n = st.nodes[idx];
        if (n.state != "active")
          return fail("miroir_bad_request", "node " + node + " is " + n.state + ", only an active node is removed");
        group = n.group;
        auto members = st.members(group);
        std::erase(members, node);
        if (members.size() < rf)
          return fail("miroir_bad_request", "group " + std::to_string(group) + " would keep " +
                                                std::to_string(members.size()) + " node(s), fewer than RF " +
                                                std::to_string(rf));
        for (uint32_t s = 0; s < topology_.shards(); ++s) {
          const auto& cur = st.owners[group][s];
          if (std::find(cur.begin(), cur.end(), node) == cur.end()) continue;
          if (moving(group, s))
            return fail("miroir_bad_request", "shard " + std::to_string(s) + " of " + node +
                                                  " is moving already; retry once that migration completed");
          auto target = miroir::owners(s, members, rf);
          std::string to;
          for (const auto& o : target)
            if (std::find(cur.begin(), cur.end(), o) == cur.end()) {
              to = o;
              break;
            }
          if (to.empty()) continue;
          rec.moves.push_back(ShardMoveRecord{s, node, to});
        }
        for (const auto& m : st.moves)
          if (m.to == node || m.from == node)
            return fail("miroir_bad_request", "node " + node + " takes part in " + m.migration);
        if (rec.moves.empty()) return fail("miroir_bad_request", "node " + node + " owns no shard to move");
      }
      rec.number = t.next_migration_number();
      rec.id = "mig-" + std::to_string(rec.number);
      rec.kind = kind;
      rec.node = node;
      rec.address = kind == "add" ? request.address() : st.nodes[st.find(node)].address;
      rec.group = group;
      rec.coordinator = name_;
      rec.phase = "computing";
      rec.started_at_ms = unix_ms();
      rec.decisions.push_back("planned by " + name_ + ": " + std::to_string(rec.moves.size()) +
                              " shard(s) move (" + join_shards(rec.moves) + ")");
      if (!options_.anti_entropy) rec.decisions.push_back("anti-entropy is off: nothing repairs what this "
                                                          "migration might miss later");
      auto& w = t.change_topology();
      if (kind == "add")
        w.nodes.push_back(TopologyNode{node, request.address(), group, "joining"});
      else
        w.nodes[w.find(node)].state = "draining";
      for (const auto& m : rec.moves)
        w.moves.push_back(TopologyMove{group, m.shard, m.from, m.to, rec.id, "computing"});
      t.put(rec);
    });
  } catch (const std::exception& e) {
    MIROIR_LOG(error, name_) << kind << " node " << node << ": " << e.what();
    return refuse("miroir_internal", std::string("topology store: ") + e.what());
  }
  if (!code.empty()) {
    MIROIR_LOG(warn, name_) << kind << " node " << node << " refused: " << code << ": " << message;
    return refuse(code, message);
  }
  rec.epoch = epoch;
  MIROIR_LOG(info, name_) << rec.id << ": " << kind << " node " << node << " (group " << rec.group
                         << ") accepted, coordinated here; " << rec.decisions.front() << "; epoch " << epoch;
  if (!options_.anti_entropy)
    MIROIR_LOG(warn, name_) << rec.id << ": anti-entropy is off: a write this migration misses is never repaired";
  try {
    sync_.reload();  // our routing knows the new node at once
  } catch (const std::exception& e) {
    MIROIR_LOG(error, name_) << "topology sync: " << e.what();
  }
  MigrationReply reply;
  reply.set_migration_id(rec.id);
  start_job(std::move(rec));
  return reply;
}

void Migrations::resume() {
  std::vector<MigrationRecord> mine;
  for (auto& r : store_.migrations())
    if (!r.finished() && r.coordinator == name_) mine.push_back(std::move(r));
  for (auto& r : mine) {
    MIROIR_LOG(info, name_) << "resumed " << r.id << " in phase " << r.phase;
    r.decisions.push_back("resumed by " + name_ + " after a restart in phase " + r.phase +
                          " (the phase is redone from its start)");
    start_job(std::move(r));
  }
}

void Migrations::start_job(MigrationRecord record) {
  std::lock_guard lock(mu_);
  auto job = std::make_unique<Job>();
  job->rec = std::move(record);
  Job* j = job.get();
  jobs_.push_back(std::move(job));
  j->thread = std::thread([this, j] { run(*j); });
}

uint32_t Migrations::running() {
  uint32_t n = 0;
  for (const auto& r : store_.migrations())
    if (!r.finished()) ++n;
  return n;
}

MigrationsReply Migrations::list(const MigrationsRequest& request) {
  MigrationsReply reply;
  reply.set_epoch(topology_.epoch());
  for (const auto& r : store_.migrations()) {
    if (!request.migration_id().empty() && r.id != request.migration_id()) continue;
    auto c = tasks_.inflight_counts(r.id);
    *reply.add_migrations() = r.to_status(c.dual_writes, c.failed_on_new);
  }
  return reply;
}

// ----------------------------------------------------------------- events

std::shared_ptr<Migrations::Watcher> Migrations::watch() {
  auto w = std::make_shared<Watcher>();
  std::lock_guard lock(mu_);
  std::erase_if(watchers_, [](const auto& x) { return x.expired(); });
  watchers_.push_back(w);
  return w;
}

bool Migrations::next(Watcher& watcher, PhaseEvent* event, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return stop_ || !watcher.queue.empty(); });
  if (watcher.queue.empty()) return false;
  *event = std::move(watcher.queue.front());
  watcher.queue.pop_front();
  return true;
}

void Migrations::emit(const Job& job, int shard, const std::string& shard_state) {
  PhaseEvent e;
  e.set_migration_id(job.rec.id);
  e.set_phase(job.rec.phase);
  e.set_shard(shard);
  e.set_shard_state(shard_state);
  e.set_at_ms(unix_ms());
  e.set_epoch(job.rec.epoch);
  e.set_node(job.rec.node);
  std::lock_guard lock(mu_);
  for (auto& w : watchers_)
    if (auto s = w.lock()) s->queue.push_back(e);
  cv_.notify_all();
}

// ----------------------------------------------------------- coordinator

void Migrations::check_stop() {
  if (stop_) throw Stopped{};
}

void Migrations::pause(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [&] { return stop_.load(); });
  if (stop_) throw Stopped{};
}

void Migrations::persist(Job& job) {
  store_.transact([&](TopologyStore::Txn& t) { t.put(job.rec); });
}

void Migrations::decide(Job& job, const std::string& decision) {
  MIROIR_LOG(info, name_) << job.rec.id << ": " << decision;
  job.rec.decisions.push_back(decision);
  persist(job);
}

void Migrations::shard_state(Job& job, size_t move, const std::string& state) {
  job.rec.moves[move].state = state;
  persist(job);
  MIROIR_LOG(info, name_) << job.rec.id << ": shard " << job.rec.moves[move].shard << " "
                         << job.rec.moves[move].from << "->" << job.rec.moves[move].to << " " << state;
  emit(job, static_cast<int>(job.rec.moves[move].shard), state);
}

void Migrations::enter(Job& job, const std::string& phase) {
  auto& rec = job.rec;
  rec.phase = phase;
  if (phase == "activate")
    for (auto& m : rec.moves) m.state = "active";
  rec.epoch = store_.transact([&](TopologyStore::Txn& t) {
    auto& st = t.change_topology();
    for (auto& m : st.moves)
      if (m.migration == rec.id) m.phase = phase;
    if (phase == "activate") {
      // The owner table takes the new owner: reads and writes go there.
      for (const auto& m : rec.moves) {
        auto& owners = st.owners[rec.group][m.shard];
        for (auto& o : owners)
          if (o == m.from) o = m.to;
        TopologyState::sort_owners(m.shard, owners);
      }
      if (rec.kind == "add") st.nodes[st.find(rec.node)].state = "active";
    }
    if (phase == "complete") {
      std::erase_if(st.moves, [&](const TopologyMove& m) { return m.migration == rec.id; });
      if (rec.kind == "remove") st.nodes[st.find(rec.node)].state = "removed";
    }
    t.put(rec);
  });
  MIROIR_LOG(info, name_) << rec.id << ": phase " << phase << " (" << rec.kind << " " << rec.node << ", epoch "
                         << rec.epoch << ")";
  try {
    sync_.reload();
  } catch (const std::exception& e) {
    MIROIR_LOG(error, name_) << "topology sync: " << e.what();
  }
  emit(job, -1, "");
  if (phase == "activate")
    for (const auto& m : rec.moves) emit(job, static_cast<int>(m.shard), "active");
}

void Migrations::wait_acks(Job& job) {
  auto missing = sync_.wait_acks(job.rec.epoch, kAckTimeout, [&] { return stop_.load(); });
  check_stop();
  if (!missing.empty()) {
    std::string names;
    for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
    decide(job, "phase " + job.rec.phase + ": orchestrator(s) " + names + " did not acknowledge epoch " +
                    std::to_string(job.rec.epoch) + " within " + std::to_string(kAckTimeout.count()) +
                    " ms: skipped (they may route with a stale topology)");
  }
}

void Migrations::run(Job& job) {
  auto& rec = job.rec;
  try {
    // Announce where we are (a resumed migration's phase is emitted again).
    persist(job);
    emit(job, -1, "");
    while (!rec.finished()) {
      check_stop();
      try {
        const std::string phase = rec.phase;
        if (phase == "computing") {
          enter(job, "dual-write");
        } else if (phase == "dual-write") {
          wait_acks(job);
          copy(job);
          enter(job, "cutover");
        } else if (phase == "cutover") {
          wait_acks(job);
          enter(job, "draining");
        } else if (phase == "draining") {
          drain(job);
          enter(job, "delta");
        } else if (phase == "delta") {
          delta(job);
          enter(job, "activate");
        } else if (phase == "activate") {
          wait_acks(job);
          enter(job, "cleanup");
        } else if (phase == "cleanup") {
          cleanup(job);
          enter(job, "complete");
        } else {
          throw std::runtime_error("unknown phase \"" + phase + "\"");
        }
      } catch (const Stopped&) {
        throw;
      } catch (const std::exception& e) {
        // Redo the phase from its start after a pause.
        MIROIR_LOG(error, name_) << rec.id << ": phase " << rec.phase << ": " << e.what() << "; retrying the phase";
        pause(1s);
      }
    }
    MIROIR_LOG(info, name_) << rec.id << ": complete: " << rec.documents_copied << " copied, "
                           << rec.delta_documents << " by the delta pass, drain " << rec.drain_ms << " ms, "
                           << rec.cleaned_documents << " cleaned";
  } catch (const Stopped&) {
    MIROIR_LOG(info, name_) << rec.id << ": stopped in phase " << rec.phase << " (resumed at the next start)";
  } catch (const std::exception& e) {
    MIROIR_LOG(error, name_) << rec.id << ": " << e.what();
  }
  job.done = true;
}

// ------------------------------------------------------------ node calls

int Migrations::node_index(const std::string& name) {
  int i = topology_.find(name);
  if (i < 0 || static_cast<size_t>(i) >= nodes_.size()) {
    sync_.reload();
    i = topology_.find(name);
  }
  if (i < 0 || static_cast<size_t>(i) >= nodes_.size())
    throw std::runtime_error("node " + name + " is not in this orchestrator's topology");
  return i;
}

NodeListReply Migrations::list_page(int node, uint32_t shard, uint64_t offset, uint32_t limit) {
  for (auto backoff = 50ms;; backoff = std::min<std::chrono::milliseconds>(backoff * 2, 1000ms)) {
    check_stop();
    NodeListRequest req;
    req.set_index(topology_.config().index);
    req.set_shard(shard);
    req.set_offset(offset);
    req.set_limit(limit);
    NodeListReply reply;
    grpc::ClientContext ctx;
    set_deadline(ctx, kMigrationWriteTimeout);
    auto st = nodes_.stub(node).ListDocuments(&ctx, req, &reply);
    if (st.ok()) return reply;
    MIROIR_LOG(warn, name_) << "list shard " << shard << " on " << topology_.node_name(node) << ": "
                           << st.error_message() << "; retrying";
    pause(backoff);
  }
}

bool Migrations::enqueue_and_wait(
    int node, const std::function<grpc::Status(grpc::ClientContext*, NodeEnqueueReply*)>& start,
    std::string* error) {
  NodeEnqueueReply enq;
  {
    grpc::ClientContext ctx;
    set_deadline(ctx, kMigrationWriteTimeout);
    auto st = start(&ctx, &enq);
    if (!st.ok()) {
      *error = "transport: " + st.error_message();
      return false;
    }
    if (!enq.error_code().empty()) {
      *error = enq.error_code() + ": " + enq.error_message();
      return false;
    }
  }
  for (;;) {
    check_stop();
    NodeTaskRequest tr;
    tr.set_task_uid(enq.task_uid());
    tr.set_wait_ms(kTaskPollMs);
    NodeTaskReply rep;
    grpc::ClientContext ctx;
    set_deadline(ctx, std::chrono::milliseconds(kTaskPollMs) + 2s);
    auto st = nodes_.stub(node).GetTask(&ctx, tr, &rep);
    if (!st.ok()) {
      pause(100ms);
      continue;
    }
    if (rep.status() == "succeeded") return true;
    if (rep.status() == "failed" || rep.status() == "unknown") {
      *error = "task " + std::to_string(enq.task_uid()) + " " + rep.status() + ": " + rep.error();
      return false;
    }
  }
}

void Migrations::write_and_wait(int node, NodeWriteRequest request, const std::string& what) {
  request.set_index(topology_.config().index);
  request.set_merge(false);
  for (auto backoff = 20ms;; backoff = std::min<std::chrono::milliseconds>(backoff * 2, 1000ms)) {
    std::string error;
    if (enqueue_and_wait(
            node,
            [&](grpc::ClientContext* ctx, NodeEnqueueReply* r) {
              return nodes_.stub(node).AddDocuments(ctx, request, r);
            },
            &error))
      return;
    MIROIR_LOG(warn, name_) << what << " on " << topology_.node_name(node) << ": " << error << "; retrying";
    pause(backoff);
  }
}

uint64_t Migrations::delete_shard_and_wait(int node, uint32_t shard) {
  // What the node holds of the shard now, as it reports it.
  const uint64_t total = list_page(node, shard, 0, 1).total();
  NodeDeleteShardRequest req;
  req.set_index(topology_.config().index);
  req.set_shard(shard);
  for (auto backoff = 20ms;; backoff = std::min<std::chrono::milliseconds>(backoff * 2, 1000ms)) {
    std::string error;
    if (enqueue_and_wait(
            node,
            [&](grpc::ClientContext* ctx, NodeEnqueueReply* r) { return nodes_.stub(node).DeleteShard(ctx, req, r); },
            &error))
      return total;
    MIROIR_LOG(warn, name_) << "cleanup of shard " << shard << " on " << topology_.node_name(node) << ": " << error
                           << "; retrying";
    pause(backoff);
  }
}

// ---------------------------------------------------------------- phases

void Migrations::copy(Job& job) {
  auto& rec = job.rec;
  const uint32_t page = std::max<uint32_t>(1, options_.copy_page_size);
  for (size_t i = 0; i < rec.moves.size(); ++i) {
    auto& m = rec.moves[i];
    if (m.state != "pending" && m.state != "copying") continue;
    if (m.state == "pending") shard_state(job, i, "copying");
    const int from = node_index(m.from), to = node_index(m.to);
    for (;;) {
      auto reply = list_page(from, m.shard, m.cursor, page);
      const auto n = static_cast<uint64_t>(reply.documents_size());
      if (n > 0) {
        NodeWriteRequest w;
        for (const auto& d : reply.documents()) *w.add_documents() = d;  // as stored
        write_and_wait(to, std::move(w), rec.id + ": copy of shard " + std::to_string(m.shard));
        m.cursor += n;
        m.copied += n;
        rec.documents_copied += n;
        persist(job);
      }
      if (n < page || m.cursor >= reply.total()) break;
      // --copy-pause-ms: a throttle, so the copy leaves the nodes room for
      // client writes (and a test a long dual-write).
      if (options_.copy_pause.count() > 0) pause(options_.copy_pause);
    }
    shard_state(job, i, "copied");
  }
}

void Migrations::drain(Job& job) {
  auto& rec = job.rec;
  const auto start = Clock::now();
  if (options_.bugs.no_drain_deadline) {
    rec.drain_ms = 0;
    decide(job, "drain returned at once (--bug no-drain-deadline): in-flight dual-writes not waited for");
    return;
  }
  const auto deadline_ms = options_.drain_deadline;
  const auto deadline = start + deadline_ms;
  // The harness's stall: every write counts as undecided this long (a
  // stall reaching the deadline leaves every write undecided).
  bool stalled_to_deadline = false;
  if (const uint32_t stall = drain_stall_ms_.load(); stall > 0) {
    MIROIR_LOG(info, name_) << rec.id << ": drain stalled " << stall << " ms (SetDrainStall)";
    const auto until = std::min(deadline, start + std::chrono::milliseconds(stall));
    stalled_to_deadline = until >= deadline;
    pause(std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()));
  }

  // Every part of every undecided record: the quorum targets' node tasks
  // (the task map) and the new owner's.
  struct Part {
    size_t record;
    int node;
    uint64_t uid;
    bool is_new;
    std::string status;
    bool final() const { return status == "succeeded" || status == "failed"; }
  };
  auto records = tasks_.inflight(rec.id, true);
  std::vector<Part> parts;
  for (size_t r = 0; r < records.size(); ++r) {
    if (auto refs = tasks_.get(records[r].task_id))
      for (const auto& ref : *refs) {
        if (ref.node == records[r].node && ref.uid == records[r].uid) continue;
        parts.push_back(Part{r, topology_.find(ref.node), ref.uid, false, ""});
      }
    if (!records[r].refused) parts.push_back(Part{r, topology_.find(records[r].node), records[r].uid, true, ""});
  }
  std::vector<bool> decided(records.size(), false);
  std::vector<size_t> open_parts(records.size(), 0);
  for (const auto& p : parts) ++open_parts[p.record];
  // Records with no part to wait for (the new owner refused, no quorum ref) are decided.
  std::vector<InflightRecord> updates;
  for (size_t r = 0; r < records.size(); ++r)
    if (open_parts[r] == 0) {
      decided[r] = true;
      records[r].decided = true;
      updates.push_back(records[r]);
    }
  tasks_.update_inflight(updates);

  size_t undecided = std::count(decided.begin(), decided.end(), false);
  MIROIR_LOG(info, name_) << rec.id << ": draining " << records.size() << " in-flight dual-write(s), " << undecided
                         << " undecided, deadline " << deadline_ms.count() << " ms";
  while (undecided > 0 && !stalled_to_deadline && Clock::now() < deadline) {
    check_stop();
    const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    const uint32_t wait = static_cast<uint32_t>(std::clamp<int64_t>(remaining.count(), 1, kTaskPollMs));
    std::vector<size_t> batch;
    for (size_t i = 0; i < parts.size() && batch.size() < kDrainParallelPolls; ++i)
      if (!parts[i].final() && !decided[parts[i].record]) batch.push_back(i);
    struct Poll {
      NodeTaskRequest req;
      NodeTaskReply reply;
      grpc::ClientContext ctx;
      grpc::Status status;
    };
    std::vector<std::unique_ptr<Poll>> polls;
    const auto round_start = Clock::now();
    {
      CallGroup group;
      for (size_t i : batch) {
        auto p = std::make_unique<Poll>();
        if (parts[i].node < 0) {
          p->status = grpc::Status(grpc::StatusCode::NOT_FOUND, "node not in the topology");
          polls.push_back(std::move(p));
          continue;
        }
        p->req.set_task_uid(parts[i].uid);
        p->req.set_wait_ms(wait);
        set_deadline(p->ctx, std::chrono::milliseconds(wait) + 1s);
        nodes_.stub(parts[i].node).async()->GetTask(&p->ctx, &p->req, &p->reply, group.expect(&p->status));
        polls.push_back(std::move(p));
      }
      group.wait();
    }
    updates.clear();
    for (size_t k = 0; k < batch.size(); ++k) {
      auto& part = parts[batch[k]];
      if (!polls[k]->status.ok()) continue;
      const auto& s = polls[k]->reply.status();
      if (s != "succeeded" && s != "failed") continue;
      part.status = s;
      auto& r = records[part.record];
      if (part.is_new) r.new_status = s;
      if (--open_parts[part.record] == 0) {
        decided[part.record] = true;
        r.decided = true;
        --undecided;
        updates.push_back(r);
      } else if (part.is_new) {
        updates.push_back(r);
      }
    }
    tasks_.update_inflight(updates);
    // Nothing final this round and the round ended early (a node fails
    // fast): do not spin.
    if (updates.empty() && Clock::now() - round_start < 100ms) pause(100ms);
  }
  rec.drain_ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
  if (undecided > 0) {
    std::vector<std::string> task_ids;
    updates.clear();
    for (size_t r = 0; r < records.size(); ++r)
      if (!decided[r]) {
        task_ids.push_back(records[r].task_id);
        records[r].decided = true;  // by the deadline: not waited for again
        updates.push_back(records[r]);
      }
    const std::string why = "miroir_drain_deadline: the write was still undecided on a target when the drain "
                            "deadline (" + std::to_string(deadline_ms.count()) + " ms) of " + rec.id + " passed";
    tasks_.set_verdicts(task_ids, "unknown", why);
    tasks_.update_inflight(updates);
    rec.undecided_at_deadline += task_ids.size();
    rec.delta_forced = true;
    decide(job, "drain deadline " + std::to_string(deadline_ms.count()) + " ms passed with " +
                    std::to_string(task_ids.size()) + " writes undecided: marked unknown, delta pass forced");
  } else {
    persist(job);
  }
  MIROIR_LOG(info, name_) << rec.id << ": drained in " << rec.drain_ms << " ms";
}

void Migrations::delta(Job& job) {
  auto& rec = job.rec;
  if (options_.bugs.skip_delta) {
    decide(job, "delta pass skipped (--bug skip-delta)");
    return;
  }
  if (options_.bugs.conditional_delta && !rec.delta_forced) {
    auto c = tasks_.inflight_counts(rec.id);
    if (c.failed_on_new == 0) {
      decide(job, "delta pass skipped: none of the " + std::to_string(c.dual_writes) +
                      " tracked dual-write(s) failed on the new owner (--bug conditional-delta)");
      return;
    }
    decide(job, "delta pass: " + std::to_string(c.failed_on_new) +
                    " tracked dual-write(s) failed on the new owner (--bug conditional-delta)");
  }
  const uint32_t page = std::max<uint32_t>(1, options_.copy_page_size);
  for (size_t i = 0; i < rec.moves.size(); ++i) {
    auto& m = rec.moves[i];
    if (m.state == "delta-done") continue;
    const int from = node_index(m.from), to = node_index(m.to);
    // What the new owner has.
    std::unordered_set<std::string> have;
    for (uint64_t offset = 0;;) {
      auto reply = list_page(to, m.shard, offset, page);
      for (const auto& d : reply.documents()) have.insert(d.id());
      offset += static_cast<uint64_t>(reply.documents_size());
      if (static_cast<uint32_t>(reply.documents_size()) < page || offset >= reply.total()) break;
    }
    // What the old owner has that the new one lacks.
    uint64_t written = 0;
    NodeWriteRequest batch;
    auto flush = [&] {
      if (batch.documents_size() == 0) return;
      written += static_cast<uint64_t>(batch.documents_size());
      write_and_wait(to, std::move(batch), rec.id + ": delta of shard " + std::to_string(m.shard));
      batch = NodeWriteRequest{};
    };
    for (uint64_t offset = 0;;) {
      auto reply = list_page(from, m.shard, offset, page);
      for (const auto& d : reply.documents())
        if (!have.count(d.id())) {
          *batch.add_documents() = d;
          if (static_cast<uint32_t>(batch.documents_size()) >= page) flush();
        }
      offset += static_cast<uint64_t>(reply.documents_size());
      if (static_cast<uint32_t>(reply.documents_size()) < page || offset >= reply.total()) break;
    }
    flush();
    m.delta = written;
    rec.delta_documents += written;
    shard_state(job, i, "delta-done");
  }
}

void Migrations::cleanup(Job& job) {
  auto& rec = job.rec;
  for (size_t i = 0; i < rec.moves.size(); ++i) {
    auto& m = rec.moves[i];
    if (m.state == "cleaned") continue;
    const int from = node_index(m.from);
    rec.cleaned_documents += delete_shard_and_wait(from, m.shard);
    shard_state(job, i, "cleaned");
  }
}

}  // namespace miroir::orchestrator
