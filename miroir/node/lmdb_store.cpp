#include "miroir/node/lmdb_store.hpp"

#include <filesystem>

#include "miroir/node/document_check.hpp"
#include "miroir/node/keys.hpp"
#include "miroir/node/task_apply.hpp"

namespace miroir::node {

namespace {
// 8 GiB, sparse: the map only reserves address space.
constexpr size_t kMapSize = size_t{8} << 30;
constexpr unsigned kMaxDbs = 16;
// gRPC handler threads each hold a short read transaction.
constexpr unsigned kMaxReaders = 1024;
constexpr std::string_view kLastUid = "last_uid";

std::string be64(uint64_t v) {
  std::string s;
  keys::append_be(s, v, 8);
  return s;
}

std::string task_record(TaskStatus st, const std::string& error) {
  char c = st == TaskStatus::succeeded ? 's' : st == TaskStatus::failed ? 'f' : 'e';
  return std::string(1, c) + error;
}
}  // namespace

LmdbStore::LmdbStore(const std::string& dir)
    : env_((std::filesystem::create_directories(dir), dir), kMapSize, kMaxDbs, kMaxReaders),
      enqueuer_([this](const std::vector<const NodeTask*>& t) { return enqueue_batch(t); }) {
  lmdb::Txn w(env_, true);
  docs_ = w.open("docs");
  by_shard_ = w.open("by_shard");
  counts_ = w.open("counts");
  queue_ = w.open("queue");
  tasks_ = w.open("tasks");
  meta_ = w.open("meta");
  w.commit();
}

class LmdbStore::TxnDocuments : public DocumentWriter {
 public:
  TxnDocuments(LmdbStore& store, lmdb::Txn& w) : store_(store), w_(w) {}
  std::optional<std::string> get(const std::string& index, const std::string& id) override {
    // Copied at once: a later put in this transaction may move the page.
    auto v = w_.get(store_.docs_, keys::document(index, id));
    if (!v) return std::nullopt;
    return std::string(*v);
  }
  void put(const std::string& index, const std::string& id, const std::string& json,
           uint32_t shard) override {
    store_.put_document(w_, index, id, json, shard);
  }
  void erase(const std::string& index, const std::string& id) override {
    store_.erase_document(w_, index, id);
  }
  std::vector<std::string> ids_of_shard(const std::string& index, uint32_t shard) override {
    std::vector<std::string> ids;
    std::string prefix = keys::shard_prefix(index, shard);
    lmdb::Cursor c(w_, store_.by_shard_);
    for (bool ok = c.seek(prefix); ok; ok = c.next()) {
      std::string_view k = c.key();
      if (k.substr(0, prefix.size()) != prefix) break;
      ids.emplace_back(k.substr(prefix.size()));
    }
    return ids;
  }

 private:
  LmdbStore& store_;
  lmdb::Txn& w_;
};

uint64_t LmdbStore::enqueue(const NodeTask& task) { return enqueuer_.submit(&task); }

std::vector<uint64_t> LmdbStore::enqueue_batch(const std::vector<const NodeTask*>& tasks) {
  // LMDB allows one write transaction at a time, so reading and bumping the
  // counter inside it yields uids that increase in commit order.
  std::vector<uint64_t> uids;
  lmdb::Txn w(env_, true);
  auto last = w.get(meta_, kLastUid);
  uint64_t uid = last ? keys::read_be(*last) : 0;
  for (const NodeTask* task : tasks) {
    ++uid;
    w.put(queue_, keys::task(uid), task->SerializeAsString());
    w.put(tasks_, keys::task(uid), task_record(TaskStatus::enqueued, {}));
    uids.push_back(uid);
  }
  w.put(meta_, kLastUid, be64(uid));
  w.commit();
  return uids;
}

std::vector<QueuedTask> LmdbStore::pending(size_t max_tasks, size_t max_documents) {
  std::vector<QueuedTask> out;
  lmdb::Txn r(env_, false);
  lmdb::Cursor c(r, queue_);
  size_t docs = 0;
  for (bool ok = c.first(); ok && out.size() < max_tasks; ok = c.next()) {
    QueuedTask t;
    t.uid = keys::read_be(c.key());
    // An unreadable payload still has to leave the queue: with no kind set,
    // apply_task fails it.
    if (!t.task.ParseFromArray(c.value().data(), static_cast<int>(c.value().size()))) t.task.Clear();
    size_t n = task_weight(t.task);
    if (!out.empty() && docs + n > max_documents) break;
    docs += n;
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<TaskOutcome> LmdbStore::apply(const std::vector<QueuedTask>& batch) {
  std::vector<TaskOutcome> outcomes;
  lmdb::Txn w(env_, true);
  TxnDocuments docs(*this, w);
  for (const auto& t : batch) {
    std::string tk = keys::task(t.uid);
    if (!w.get(queue_, tk)) continue;  // not pending (already applied): nothing to do
    std::string error = apply_task(t.task, docs);
    TaskOutcome o{t.uid, error.empty(), error};
    w.del(queue_, tk);
    w.put(tasks_, tk, task_record(o.ok ? TaskStatus::succeeded : TaskStatus::failed, o.error));
    outcomes.push_back(std::move(o));
  }
  w.commit();
  return outcomes;
}

void LmdbStore::put_document(lmdb::Txn& w, const std::string& index, const std::string& id,
                             const std::string& json, uint32_t shard) {
  std::string dk = keys::document(index, id);
  if (auto old = w.get(docs_, dk)) {
    // Replace: the old copy may sit in another shard's index entry.
    if (auto old_shard = shard_of_json(std::string(*old))) {
      if (w.del(by_shard_, keys::shard_entry(index, *old_shard, id)))
        add_count(w, index, *old_shard, -1);
    }
  }
  w.put(docs_, dk, json);
  w.put(by_shard_, keys::shard_entry(index, shard, id), {});
  add_count(w, index, shard, +1);
}

void LmdbStore::erase_document(lmdb::Txn& w, const std::string& index, const std::string& id) {
  std::string dk = keys::document(index, id);
  auto old = w.get(docs_, dk);
  if (!old) return;
  if (auto shard = shard_of_json(std::string(*old))) {
    if (w.del(by_shard_, keys::shard_entry(index, *shard, id))) add_count(w, index, *shard, -1);
  }
  w.del(docs_, dk);
}

void LmdbStore::add_count(lmdb::Txn& w, const std::string& index, uint32_t shard, int64_t delta) {
  std::string k = keys::shard_prefix(index, shard);
  int64_t n = static_cast<int64_t>(shard_count(w, index, shard)) + delta;
  if (n <= 0)
    w.del(counts_, k);
  else
    w.put(counts_, k, be64(static_cast<uint64_t>(n)));
}

uint64_t LmdbStore::shard_count(lmdb::Txn& t, const std::string& index, uint32_t shard) {
  auto v = t.get(counts_, keys::shard_prefix(index, shard));
  return v ? keys::read_be(*v) : 0;
}

TaskState LmdbStore::task(uint64_t uid) {
  lmdb::Txn r(env_, false);
  auto v = r.get(tasks_, keys::task(uid));
  if (!v || v->empty()) return {};
  TaskState st;
  switch ((*v)[0]) {
    case 's': st.status = TaskStatus::succeeded; break;
    case 'f': st.status = TaskStatus::failed; break;
    default: st.status = TaskStatus::enqueued; break;
  }
  st.error = std::string(v->substr(1));
  return st;
}

std::optional<std::string> LmdbStore::get(const std::string& index, const std::string& id) {
  lmdb::Txn r(env_, false);
  auto v = r.get(docs_, keys::document(index, id));
  if (!v) return std::nullopt;
  return std::string(*v);
}

DocumentPage LmdbStore::list(const std::string& index, uint32_t shard, uint64_t offset,
                             uint32_t limit) {
  DocumentPage page;
  lmdb::Txn r(env_, false);
  page.total = shard_count(r, index, shard);
  std::string prefix = keys::shard_prefix(index, shard);
  lmdb::Cursor c(r, by_shard_);
  uint64_t skipped = 0;
  for (bool ok = c.seek(prefix); ok && page.documents.size() < limit; ok = c.next()) {
    std::string_view k = c.key();
    if (k.substr(0, prefix.size()) != prefix) break;
    if (skipped < offset) {  // offset pagination: O(offset), as Meilisearch's
      ++skipped;
      continue;
    }
    std::string id(k.substr(prefix.size()));
    auto json = r.get(docs_, keys::document(index, id));
    if (json) page.documents.emplace_back(std::move(id), std::string(*json));
  }
  return page;
}

void LmdbStore::scan(const std::string& index, const std::vector<uint32_t>& shards,
                     const DocumentVisitor& visit) {
  lmdb::Txn r(env_, false);
  lmdb::Cursor c(r, by_shard_);
  auto visit_range = [&](const std::string& prefix) {
    for (bool ok = c.seek(prefix); ok; ok = c.next()) {
      std::string_view k = c.key();
      if (k.substr(0, prefix.size()) != prefix) break;
      // Entry: index ‖ 0 ‖ be32(shard) ‖ id.
      std::string_view rest = k.substr(index.size() + 1);
      if (rest.size() < 4) continue;
      auto shard = static_cast<uint32_t>(keys::read_be(rest.substr(0, 4)));
      std::string_view id = rest.substr(4);
      auto json = r.get(docs_, keys::document(index, id));
      if (json) visit(shard, id, *json);
    }
  };
  if (shards.empty()) {
    std::string all = index;
    all.push_back('\0');  // an index name has no NUL: this prefix is exactly the index
    visit_range(all);
    return;
  }
  for (uint32_t shard : shards) visit_range(keys::shard_prefix(index, shard));
}

StoreStats LmdbStore::stats() {
  lmdb::Txn r(env_, false);
  StoreStats s;
  s.pending_tasks = r.entries(queue_);
  auto last = r.get(meta_, kLastUid);
  s.last_task_uid = last ? keys::read_be(*last) : 0;
  s.documents = r.entries(docs_);
  return s;
}

void LmdbStore::for_each_document(
    const std::function<void(std::string_view, std::string_view, std::string_view)>& fn) {
  lmdb::Txn r(env_, false);
  lmdb::Cursor c(r, docs_);
  for (bool ok = c.first(); ok; ok = c.next()) {
    auto [index, id] = keys::split_document(c.key());
    fn(index, id, c.value());
  }
}

}  // namespace miroir::node
