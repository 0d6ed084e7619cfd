#include "miroir/node/write_behind_store.hpp"

#include <limits>

#include "miroir/common/log.hpp"
#include "miroir/node/document_check.hpp"

namespace miroir::node {

WriteBehindStore::WriteBehindStore(std::unique_ptr<LmdbStore> durable,
                                   std::chrono::milliseconds flush_every)
    : durable_(std::move(durable)), flush_every_(flush_every) {
  // Start from what reached the disk: its documents, its queue, its counter.
  durable_->for_each_document([&](std::string_view index, std::string_view id, std::string_view json) {
    std::string j(json);
    if (auto shard = shard_of_json(j)) memory_.load_document(std::string(index), std::string(id), j, *shard);
  });
  loaded_last_uid_ = durable_->stats().last_task_uid;
  memory_.load_queue(loaded_last_uid_, durable_->pending(std::numeric_limits<size_t>::max(),
                                                         std::numeric_limits<size_t>::max()));
  thread_ = std::thread([this] { flusher(); });
}

WriteBehindStore::~WriteBehindStore() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  thread_.join();
  flush();
}

uint64_t WriteBehindStore::enqueue(const NodeTask& task) {
  std::lock_guard lock(journal_mu_);
  uint64_t uid = memory_.enqueue(task);  // acknowledged with nothing on disk
  journal_.push_back(Enqueued{uid, task});
  return uid;
}

std::vector<QueuedTask> WriteBehindStore::pending(size_t max_tasks, size_t max_documents) {
  return memory_.pending(max_tasks, max_documents);
}

std::vector<TaskOutcome> WriteBehindStore::apply(const std::vector<QueuedTask>& batch) {
  std::lock_guard lock(journal_mu_);
  auto outcomes = memory_.apply(batch);  // reported succeeded from here on
  journal_.push_back(batch);
  return outcomes;
}

TaskState WriteBehindStore::task(uint64_t uid) {
  TaskState st = memory_.task(uid);
  if (st.status == TaskStatus::unknown && uid <= loaded_last_uid_) return durable_->task(uid);
  return st;
}

std::optional<std::string> WriteBehindStore::get(const std::string& index, const std::string& id) {
  return memory_.get(index, id);
}

DocumentPage WriteBehindStore::list(const std::string& index, uint32_t shard, uint64_t offset,
                                    uint32_t limit) {
  return memory_.list(index, shard, offset, limit);
}

void WriteBehindStore::scan(const std::string& index, const std::vector<uint32_t>& shards,
                            const DocumentVisitor& visit) {
  memory_.scan(index, shards, visit);
}

StoreStats WriteBehindStore::stats() { return memory_.stats(); }

void WriteBehindStore::flush() {
  std::lock_guard flush_lock(flush_mu_);
  std::vector<Entry> entries;
  {
    std::lock_guard lock(journal_mu_);
    entries.swap(journal_);
  }
  for (auto& e : entries) {
    if (auto* enq = std::get_if<Enqueued>(&e)) {
      uint64_t uid = durable_->enqueue(enq->task);
      if (uid != enq->uid)
        MIROIR_LOG(warn, "node") << "write-behind: memory uid " << enq->uid << " stored as " << uid;
    } else {
      durable_->apply(std::get<Applied>(e));
    }
  }
}

void WriteBehindStore::flusher() {
  std::unique_lock lock(stop_mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, flush_every_, [&] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    try {
      flush();
    } catch (const std::exception& e) {
      MIROIR_LOG(error, "node") << "write-behind flush failed: " << e.what();
    }
    lock.lock();
  }
}

}  // namespace miroir::node
