#include "miroir/orchestrator/anti_entropy.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include <nlohmann/json.hpp>

#include "miroir/common/log.hpp"
#include "miroir/common/grpc_options.hpp"
#include "miroir/common/routing.hpp"
#include "miroir/orchestrator/documents.hpp"

namespace miroir::orchestrator {

namespace {
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A fingerprint scans a whole shard and a page carries up to 1000 documents:
// more than a point read's deadline.
constexpr milliseconds kFingerprintTimeout{10000};
constexpr milliseconds kPageTimeout{10000};
constexpr milliseconds kRepairWriteTimeout{5000};
// How long the pass waits for its repair tasks, polled in rounds of kTaskRound
// so that a cancelled pass notices between rounds.
constexpr milliseconds kRepairTaskTimeout{60000};
constexpr milliseconds kTaskRound{1000};
constexpr milliseconds kQueuePoll{100};

const char* const kOff = "miroir_anti_entropy_off";
const char* const kBadRequest = "miroir_bad_request";
const char* const kCancelled = "miroir_cancelled";

// One copy's version of a document.
struct Version {
  std::string json;       // as stored (what a repair writes)
  std::string canonical;  // the fingerprint's canonical form (what is compared)
  int64_t updated_at = 0; // `_miroir_updated_at`, 0 when missing or not an integer
};

Version version_of(std::string json) {
  Version v;
  auto doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    v.canonical = json;  // as the node's fingerprint hashes it
  } else {
    v.canonical = doc.dump();
    if (doc.is_object()) {
      auto it = doc.find(kUpdatedAtField);
      if (it != doc.end() && it->is_number_integer()) v.updated_at = it->get<int64_t>();
    }
  }
  v.json = std::move(json);
  return v;
}

// Last writer wins; equal stamps: the larger canonical text (deterministic).
bool newer(const Version& a, const Version& b) {
  return std::tie(a.updated_at, a.canonical) > std::tie(b.updated_at, b.canonical);
}

// One copy of a shard: its documents in the differing buckets.
struct CopyListing {
  int node = -1;
  bool ok = true;
  std::string error;
  std::map<std::string, Version> documents;  // id -> version
};

void list_pages(NodeClients& nodes, const std::string& index, uint32_t shard,
                const std::vector<bool>& differing_bucket, const std::function<bool()>& stop,
                CopyListing* out) {
  for (uint64_t offset = 0;;) {
    if (stop()) {
      out->ok = false;
      out->error = "cancelled";
      return;
    }
    NodeListRequest req;
    req.set_index(index);
    req.set_shard(shard);
    req.set_offset(offset);
    req.set_limit(AntiEntropy::kPageSize);
    NodeListReply rep;
    grpc::ClientContext ctx;
    set_deadline(ctx, kPageTimeout);
    grpc::Status st = nodes.stub(out->node).ListDocuments(&ctx, req, &rep);
    if (!st.ok()) {
      out->ok = false;
      out->error = st.error_message();
      return;
    }
    for (auto& d : *rep.mutable_documents())
      if (differing_bucket[key_hash(d.id()) % differing_bucket.size()])
        out->documents.emplace(d.id(), version_of(std::move(*d.mutable_json())));
    const auto n = static_cast<uint64_t>(rep.documents_size());
    offset += n;
    if (n < AntiEntropy::kPageSize || offset >= rep.total()) return;
  }
}

// A thread's body: what goes wrong is the copy's failure, never the process's.
void list_copy(NodeClients& nodes, const std::string& index, uint32_t shard,
               const std::vector<bool>& differing_bucket, const std::function<bool()>& stop,
               CopyListing* out) {
  try {
    list_pages(nodes, index, shard, differing_bucket, stop, out);
  } catch (const std::exception& e) {
    out->ok = false;
    out->error = e.what();
  }
}

// Waits for one node task; true when it succeeded.
bool wait_task(NodeClients& nodes, int node, uint64_t uid, const std::function<bool()>& stop) {
  const auto deadline = Clock::now() + kRepairTaskTimeout;
  while (Clock::now() < deadline && !stop()) {
    NodeTaskRequest req;
    req.set_task_uid(uid);
    req.set_wait_ms(static_cast<uint32_t>(kTaskRound.count()));
    NodeTaskReply rep;
    grpc::ClientContext ctx;
    set_deadline(ctx, kTaskRound + milliseconds(1000));
    grpc::Status st = nodes.stub(node).GetTask(&ctx, req, &rep);
    if (!st.ok()) return false;  // unconfirmed: not counted as repaired
    if (rep.status() == "succeeded") return true;
    if (rep.status() == "failed" || rep.status() == "unknown") return false;
  }
  return false;
}

}  // namespace

AntiEntropy::AntiEntropy(const Topology& topology, NodeClients& nodes, const OrchestratorOptions& options)
    : topology_(topology),
      nodes_(nodes),
      enabled_(options.anti_entropy),
      repair_(!options.bugs.no_anti_entropy_repair),
      interval_(options.anti_entropy_interval) {
  if (enabled_) thread_ = std::thread([this] { schedule(); });
}

AntiEntropy::~AntiEntropy() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::optional<AntiEntropyReply> AntiEntropy::last() const {
  std::lock_guard lock(mu_);
  return last_;
}

void AntiEntropy::schedule() {
  std::unique_lock lock(mu_);
  for (;;) {
    // Every interval from the previous start (a pass shorter than the interval
    // keeps the cadence; a longer one is followed by the next at once).
    const auto next = Clock::now() + interval_;
    if (cv_.wait_until(lock, next, [&] { return stopping_.load(); })) return;
    lock.unlock();
    AntiEntropyReply r = run(AntiEntropyRequest{}, [] { return false; });
    if (r.error_code().empty())
      MIROIR_LOG(info, "anti-entropy") << "scheduled pass: " << r.shards_compared() << " shards compared, "
                                      << r.shards_differing() << " differing, " << r.keys_differing()
                                      << " keys differing, " << r.keys_repaired() << " repaired, "
                                      << r.copies_unreachable() << " copies unreachable";
    lock.lock();
  }
}

AntiEntropyReply AntiEntropy::run(const AntiEntropyRequest& request, const std::function<bool()>& cancelled) {
  AntiEntropyReply reply;
  if (!enabled_) {
    reply.set_error_code(kOff);
    reply.set_error_message("anti-entropy is off (--anti-entropy off)");
    return reply;
  }
  std::vector<uint32_t> shards;
  for (uint32_t s : request.shards()) {
    if (s >= topology_.shards()) {
      reply.set_error_code(kBadRequest);
      reply.set_error_message("shard " + std::to_string(s) + " does not exist (the cluster has " +
                              std::to_string(topology_.shards()) + " shards)");
      return reply;
    }
    shards.push_back(s);
  }
  if (shards.empty())
    for (uint32_t s = 0; s < topology_.shards(); ++s) shards.push_back(s);
  std::sort(shards.begin(), shards.end());
  shards.erase(std::unique(shards.begin(), shards.end()), shards.end());

  auto stop = [&] { return stopping_.load() || cancelled(); };
  {
    // Queue behind the pass in progress (polling, so a caller that went away
    // stops waiting).
    std::unique_lock lock(mu_);
    while (running_) {
      if (stop()) {
        reply.set_error_code(kCancelled);
        reply.set_error_message("cancelled while waiting for the pass in progress");
        return reply;
      }
      cv_.wait_for(lock, kQueuePoll);
    }
    running_ = true;
  }
  try {
    reply = pass(shards, stop);
  } catch (const std::exception& e) {
    reply = AntiEntropyReply{};
    reply.set_error_code("miroir_internal");
    reply.set_error_message(std::string("anti-entropy pass: ") + e.what());
    MIROIR_LOG(error, "anti-entropy") << reply.error_message();
  }
  {
    std::lock_guard lock(mu_);
    running_ = false;
    if (reply.error_code().empty()) last_ = reply;
  }
  cv_.notify_all();
  return reply;
}

AntiEntropyReply AntiEntropy::pass(const std::vector<uint32_t>& shards, const std::function<bool()>& stop) {
  const auto start = Clock::now();
  AntiEntropyReply counters;
  for (uint32_t shard : shards) {
    if (stop()) {
      counters.set_error_code(kCancelled);
      counters.set_error_message("pass cancelled before shard " + std::to_string(shard));
      break;
    }
    compare_shard(shard, counters, stop);
  }
  counters.set_duration_ms(std::chrono::duration_cast<milliseconds>(Clock::now() - start).count());
  counters.set_finished_at_ms(unix_ms_now());
  MIROIR_LOG(info, "anti-entropy") << "pass over " << shards.size() << " shard(s) in " << counters.duration_ms()
                                  << " ms: " << counters.shards_differing() << " of "
                                  << counters.shards_compared() << " compared differ, "
                                  << counters.keys_differing() << " of " << counters.keys_compared()
                                  << " keys differ, " << counters.keys_repaired() << " repaired"
                                  << (repair_ ? "" : " (--bug no-anti-entropy-repair)") << ", "
                                  << counters.copies_unreachable() << " copies unreachable"
                                  << (counters.error_code().empty() ? "" : ", " + counters.error_code());
  return counters;
}

std::optional<std::vector<int>> AntiEntropy::copies_of(uint32_t shard) const {
  // The owner table's current owners of `shard` in every group. A shard that
  // is moving (a migration lists it, from computing to cleanup) is skipped:
  // its new owner is still being filled by the copy and the delta pass, and
  // comparing it would "repair" the half-copied node or the old owner that
  // cleanup is about to empty. The next pass after the migration covers it.
  const auto snapshot = topology_.current();
  for (uint32_t g = 0; g < snapshot->groups(); ++g)
    if (snapshot->move(g, shard)) return std::nullopt;
  return snapshot->read_targets(shard);
}

void AntiEntropy::compare_shard(uint32_t shard, AntiEntropyReply& counters, const std::function<bool()>& stop) {
  const auto copies = copies_of(shard);
  if (!copies) {
    MIROIR_LOG(info, "anti-entropy") << "shard " << shard << ": moving, skipped";
    return;
  }
  const std::string& index = topology_.config().index;
  const size_t n = copies->size();

  // 1. Fingerprints, in parallel.
  std::vector<std::unique_ptr<NodeAnswer<NodeFingerprintReply>>> fps;
  {
    NodeFingerprintRequest req;
    req.set_index(index);
    req.set_shard(shard);
    req.set_buckets(kBuckets);
    CallGroup group;
    for (int node : *copies) {
      auto a = std::make_unique<NodeAnswer<NodeFingerprintReply>>();
      set_deadline(a->ctx, kFingerprintTimeout);
      nodes_.stub(node).async()->Fingerprint(&a->ctx, &req, &a->reply, group.expect(&a->status));
      fps.push_back(std::move(a));
    }
    group.wait();
  }
  uint64_t unreachable = 0;
  for (size_t i = 0; i < n; ++i)
    if (!fps[i]->status.ok()) {
      ++unreachable;
      MIROIR_LOG(warn, "anti-entropy") << "shard " << shard << ": " << topology_.node_name((*copies)[i])
                                      << " did not answer its fingerprint (" << fps[i]->status.error_message()
                                      << "): shard skipped";
    }
  if (unreachable > 0) {
    counters.set_copies_unreachable(counters.copies_unreachable() + unreachable);
    return;
  }
  counters.set_shards_compared(counters.shards_compared() + 1);
  bool equal = true;
  for (size_t i = 1; i < n; ++i) equal = equal && fps[i]->reply.digest() == fps[0]->reply.digest();
  if (equal) return;
  counters.set_shards_differing(counters.shards_differing() + 1);

  // 2. The buckets that differ (every bucket when a copy sent none, or when
  //    the buckets agree although the digests do not).
  std::vector<bool> differing(kBuckets, false);
  bool any = false, complete = true;
  for (size_t i = 0; i < n; ++i) complete = complete && fps[i]->reply.bucket_digests_size() == kBuckets;
  if (complete)
    for (uint32_t b = 0; b < kBuckets; ++b)
      for (size_t i = 1; i < n; ++i)
        if (fps[i]->reply.bucket_digests(b) != fps[0]->reply.bucket_digests(b)) {
          differing[b] = any = true;
          break;
        }
  if (!any) differing.assign(kBuckets, true);

  // 3. Each copy's documents in those buckets, copies in parallel.
  std::vector<CopyListing> listings(n);
  {
    std::vector<std::thread> threads;
    for (size_t i = 0; i < n; ++i) {
      listings[i].node = (*copies)[i];
      threads.emplace_back(list_copy, std::ref(nodes_), std::cref(index), shard, std::cref(differing),
                           std::cref(stop), &listings[i]);
    }
    for (auto& t : threads) t.join();
  }
  for (const auto& l : listings)
    if (!l.ok) {
      ++unreachable;
      MIROIR_LOG(warn, "anti-entropy") << "shard " << shard << ": listing " << topology_.node_name(l.node)
                                      << " failed (" << l.error << "): shard skipped";
    }
  if (unreachable > 0) {
    counters.set_copies_unreachable(counters.copies_unreachable() + unreachable);
    return;
  }

  // 4. Per key: differing or not, and the winner.
  std::set<std::string> keys;
  for (const auto& l : listings)
    for (const auto& [id, v] : l.documents) keys.insert(id);
  std::map<int, std::vector<std::pair<std::string, const Version*>>> repairs;  // node -> (id, winner)
  uint64_t keys_differing = 0;
  for (const auto& id : keys) {
    const Version* winner = nullptr;
    bool same = true;
    const Version* first = nullptr;
    for (const auto& l : listings) {
      auto it = l.documents.find(id);
      if (it == l.documents.end()) {
        same = false;
        continue;
      }
      if (!first)
        first = &it->second;
      else if (it->second.canonical != first->canonical)
        same = false;
      if (!winner || newer(it->second, *winner)) winner = &it->second;
    }
    if (same) continue;
    ++keys_differing;
    for (const auto& l : listings) {
      auto it = l.documents.find(id);
      if (it == l.documents.end() || it->second.canonical != winner->canonical)
        repairs[l.node].emplace_back(id, winner);
    }
  }
  counters.set_keys_compared(counters.keys_compared() + keys.size());
  counters.set_keys_differing(counters.keys_differing() + keys_differing);
  if (!repair_ || keys_differing == 0) {
    MIROIR_LOG(info, "anti-entropy") << "shard " << shard << ": " << keys_differing << " of " << keys.size()
                                    << " keys differ" << (repair_ ? "" : ", not repaired (--bug no-anti-entropy-repair)");
    return;
  }

  // 5. Repair: the winners, batched per node; then wait for those tasks.
  std::set<std::string> failed;  // keys some repair write of which did not succeed
  for (const auto& [node, docs] : repairs) {
    for (size_t from = 0; from < docs.size(); from += kPageSize) {
      const size_t to = std::min(docs.size(), from + kPageSize);
      NodeWriteRequest req;
      req.set_index(index);
      req.set_merge(false);
      for (size_t i = from; i < to; ++i) {
        auto* d = req.add_documents();
        d->set_id(docs[i].first);
        d->set_json(docs[i].second->json);
      }
      NodeEnqueueReply rep;
      grpc::ClientContext ctx;
      set_deadline(ctx, kRepairWriteTimeout);
      grpc::Status st = nodes_.stub(node).AddDocuments(&ctx, req, &rep);
      bool ok = st.ok() && rep.error_code().empty();
      if (!ok)
        MIROIR_LOG(warn, "anti-entropy") << "shard " << shard << ": repair write to " << topology_.node_name(node)
                                        << " refused: " << (st.ok() ? rep.error_code() + " " + rep.error_message()
                                                                    : st.error_message());
      else if (!(ok = wait_task(nodes_, node, rep.task_uid(), stop)))
        MIROIR_LOG(warn, "anti-entropy") << "shard " << shard << ": repair task " << rep.task_uid() << " on "
                                        << topology_.node_name(node) << " did not succeed";
      if (!ok)
        for (size_t i = from; i < to; ++i) failed.insert(docs[i].first);
    }
  }
  const uint64_t repaired = keys_differing - failed.size();
  counters.set_keys_repaired(counters.keys_repaired() + repaired);
  MIROIR_LOG(info, "anti-entropy") << "shard " << shard << ": " << keys_differing << " of " << keys.size()
                                  << " keys differ, " << repaired << " repaired";
}

}  // namespace miroir::orchestrator
