#include "miroir/node/memory_store.hpp"

#include "miroir/node/document_check.hpp"
#include "miroir/node/keys.hpp"
#include "miroir/node/task_apply.hpp"

namespace miroir::node {

class MemoryStore::LockedDocuments : public DocumentWriter {
 public:
  explicit LockedDocuments(MemoryStore& store) : store_(store) {}
  std::optional<std::string> get(const std::string& index, const std::string& id) override {
    auto it = store_.docs_.find(keys::document(index, id));
    if (it == store_.docs_.end()) return std::nullopt;
    return it->second.json;
  }
  void put(const std::string& index, const std::string& id, const std::string& json,
           uint32_t shard) override {
    store_.put_locked(index, id, json, shard);
  }
  void erase(const std::string& index, const std::string& id) override {
    store_.erase_locked(index, id);
  }
  std::vector<std::string> ids_of_shard(const std::string& index, uint32_t shard) override {
    std::vector<std::string> ids;
    std::string prefix = keys::shard_prefix(index, shard);
    for (auto it = store_.by_shard_.lower_bound(prefix);
         it != store_.by_shard_.end() && it->compare(0, prefix.size(), prefix) == 0; ++it)
      ids.push_back(it->substr(prefix.size()));
    return ids;
  }

 private:
  MemoryStore& store_;
};

uint64_t MemoryStore::enqueue(const NodeTask& task) {
  std::lock_guard lock(mu_);
  uint64_t uid = ++last_uid_;
  queue_.emplace(uid, task);
  tasks_[uid] = TaskState{TaskStatus::enqueued, {}};
  return uid;
}

std::vector<QueuedTask> MemoryStore::pending(size_t max_tasks, size_t max_documents) {
  std::lock_guard lock(mu_);
  std::vector<QueuedTask> out;
  size_t docs = 0;
  for (const auto& [uid, task] : queue_) {
    if (out.size() >= max_tasks) break;
    size_t n = task_weight(task);
    if (!out.empty() && docs + n > max_documents) break;
    docs += n;
    out.push_back(QueuedTask{uid, task});
  }
  return out;
}

std::vector<TaskOutcome> MemoryStore::apply(const std::vector<QueuedTask>& batch) {
  std::lock_guard lock(mu_);
  std::vector<TaskOutcome> outcomes;
  LockedDocuments docs(*this);
  for (const auto& t : batch) {
    auto q = queue_.find(t.uid);
    if (q == queue_.end()) continue;
    std::string error = apply_task(t.task, docs);
    TaskOutcome o{t.uid, error.empty(), error};
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

void MemoryStore::erase_locked(const std::string& index, const std::string& id) {
  auto it = docs_.find(keys::document(index, id));
  if (it == docs_.end()) return;
  if (by_shard_.erase(keys::shard_entry(index, it->second.shard, id))) {
    auto c = counts_.find(keys::shard_prefix(index, it->second.shard));
    if (c != counts_.end() && --c->second == 0) counts_.erase(c);
  }
  docs_.erase(it);
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

void MemoryStore::scan(const std::string& index, const std::vector<uint32_t>& shards,
                       const DocumentVisitor& visit) {
  std::lock_guard lock(mu_);
  auto visit_range = [&](const std::string& prefix) {
    for (auto it = by_shard_.lower_bound(prefix);
         it != by_shard_.end() && it->compare(0, prefix.size(), prefix) == 0; ++it) {
      // Entry: index ‖ 0 ‖ be32(shard) ‖ id.
      std::string_view rest = std::string_view(*it).substr(index.size() + 1);
      if (rest.size() < 4) continue;
      auto shard = static_cast<uint32_t>(keys::read_be(rest.substr(0, 4)));
      std::string_view id = rest.substr(4);
      auto d = docs_.find(keys::document(index, id));
      if (d != docs_.end()) visit(shard, id, d->second.json);
    }
  };
  if (shards.empty()) {
    std::string all = index;
    all.push_back('\0');
    visit_range(all);
    return;
  }
  for (uint32_t shard : shards) visit_range(keys::shard_prefix(index, shard));
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
    queue_.emplace(t.uid, std::move(t.task));
  }
}

}  // namespace miroir::node
