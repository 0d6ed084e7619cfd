#include "miroir/node/memory_store.hpp"

#include "miroir/node/document_check.hpp"
#include "miroir/node/keys.hpp"

namespace miroir::node {

uint64_t MemoryStore::enqueue(const NodeWriteRequest& request) {
  std::lock_guard lock(mu_);
  uint64_t uid = ++last_uid_;
  queue_.emplace(uid, request);
  tasks_[uid] = TaskState{TaskStatus::enqueued, {}};
  return uid;
}

std::vector<QueuedTask> MemoryStore::pending(size_t max_tasks, size_t max_documents) {
  std::lock_guard lock(mu_);
  std::vector<QueuedTask> out;
  size_t docs = 0;
  for (const auto& [uid, req] : queue_) {
    if (out.size() >= max_tasks) break;
    size_t n = static_cast<size_t>(req.documents_size());
    if (!out.empty() && docs + n > max_documents) break;
    docs += n;
    out.push_back(QueuedTask{uid, req});
  }
  return out;
}

std::vector<TaskOutcome> MemoryStore::apply(const std::vector<QueuedTask>& batch) {
  std::lock_guard lock(mu_);
  std::vector<TaskOutcome> outcomes;
  for (const auto& t : batch) {
    auto q = queue_.find(t.uid);
    if (q == queue_.end()) continue;
    CheckedTask checked = check_task(t.request);
    TaskOutcome o{t.uid, checked.error.empty(), checked.error};
    if (o.ok)
      for (const auto& d : checked.documents) put_locked(t.request.index(), d.id, d.json, d.shard);
    queue_.erase(q);
    tasks_[t.uid] = TaskState{o.ok ? TaskStatus::succeeded : TaskStatus::failed, o.error};
    outcomes.push_back(std::move(o));
  }
  return outcomes;
}

void MemoryStore::put_locked(const std::string& index, const std::string& id,
                             const std::string& json, uint32_t shard) {
  std::string dk = keys::document(index, id);
  auto it = docs_.find(dk);
  if (it != docs_.end()) {
    if (by_shard_.erase(keys::shard_entry(index, it->second.shard, id))) {
      auto c = counts_.find(keys::shard_prefix(index, it->second.shard));
      if (c != counts_.end() && --c->second == 0) counts_.erase(c);
    }
  }
  docs_[dk] = Doc{json, shard};
  by_shard_.insert(keys::shard_entry(index, shard, id));
  counts_[keys::shard_prefix(index, shard)]++;
}

TaskState MemoryStore::task(uint64_t uid) {
  std::lock_guard lock(mu_);
  auto it = tasks_.find(uid);
  return it == tasks_.end() ? TaskState{} : it->second;
}

std::optional<std::string> MemoryStore::get(const std::string& index, const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = docs_.find(keys::document(index, id));
  if (it == docs_.end()) return std::nullopt;
  return it->second.json;
}

DocumentPage MemoryStore::list(const std::string& index, uint32_t shard, uint64_t offset,
                               uint32_t limit) {
  std::lock_guard lock(mu_);
  DocumentPage page;
  std::string prefix = keys::shard_prefix(index, shard);
  auto c = counts_.find(prefix);
  page.total = c == counts_.end() ? 0 : c->second;
  uint64_t skipped = 0;
  for (auto it = by_shard_.lower_bound(prefix);
       it != by_shard_.end() && page.documents.size() < limit; ++it) {
    if (it->compare(0, prefix.size(), prefix) != 0) break;
    if (skipped < offset) {
      ++skipped;
      continue;
    }
    std::string id = it->substr(prefix.size());
    auto d = docs_.find(keys::document(index, id));
    if (d != docs_.end()) page.documents.emplace_back(std::move(id), d->second.json);
  }
  return page;
}

StoreStats MemoryStore::stats() {
  std::lock_guard lock(mu_);
  return StoreStats{queue_.size(), last_uid_, docs_.size()};
}

void MemoryStore::load_document(const std::string& index, const std::string& id,
                                const std::string& json, uint32_t shard) {
  std::lock_guard lock(mu_);
  put_locked(index, id, json, shard);
}

void MemoryStore::load_queue(uint64_t last_uid, std::vector<QueuedTask> pending) {
  std::lock_guard lock(mu_);
  last_uid_ = last_uid;
  for (auto& t : pending) {
    tasks_[t.uid] = TaskState{TaskStatus::enqueued, {}};
    queue_.emplace(t.uid, std::move(t.request));
  }
}

}  // namespace miroir::node
