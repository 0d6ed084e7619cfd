#include "miroir/node/worker.hpp"

#include "miroir/common/log.hpp"

namespace miroir::node {

Worker::Worker(Store& store, WorkerLimits limits) : store_(store), limits_(limits) {}

Worker::~Worker() { stop(); }

void Worker::start() { thread_ = std::thread([this] { run(); }); }

void Worker::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  done_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Worker::wake() {
  {
    std::lock_guard lock(mu_);
    ++enqueue_gen_;
  }
  work_cv_.notify_one();
}

TaskState Worker::status(uint64_t uid) {
  TaskState st = store_.task(uid);
  if (st.status == TaskStatus::enqueued) {
    std::lock_guard lock(mu_);
    if (uid >= processing_lo_ && uid <= processing_hi_ && processing_lo_ != 0)
      st.status = TaskStatus::processing;
  }
  return st;
}

TaskState Worker::wait(uint64_t uid, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    uint64_t gen;
    {
      std::lock_guard lock(mu_);
      gen = done_gen_;
    }
    // Read the generation first: a batch finishing after this check bumps it,
    // so the wait below cannot miss the wake-up.
    TaskState st = status(uid);
    if (finished(st.status) || st.status == TaskStatus::unknown) return st;
    std::unique_lock lock(mu_);
    if (stopping_) return st;
    if (!done_cv_.wait_until(lock, deadline, [&] { return done_gen_ != gen || stopping_; })) {
      lock.unlock();
      return status(uid);
    }
  }
}

void Worker::run() {
  for (;;) {
    uint64_t gen;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      gen = enqueue_gen_;
    }
    std::vector<QueuedTask> batch;
    try {
      batch = store_.pending(limits_.max_tasks, limits_.max_documents);
    } catch (const std::exception& e) {
      MIROIR_LOG(error, "node") << "reading the task queue failed: " << e.what();
    }
    if (batch.empty()) {
      std::unique_lock lock(mu_);
      // The timeout is only a safety net; enqueues wake us.
      work_cv_.wait_for(lock, std::chrono::seconds(1),
                        [&] { return enqueue_gen_ != gen || stopping_; });
      continue;
    }
    {
      std::lock_guard lock(mu_);
      processing_lo_ = batch.front().uid;
      processing_hi_ = batch.back().uid;
    }
    bool applied = false;
    try {
      auto outcomes = store_.apply(batch);
      applied = true;
      for (const auto& o : outcomes)
        if (!o.ok) MIROIR_LOG(info, "node") << "task " << o.uid << " failed: " << o.error;
    } catch (const std::exception& e) {
      MIROIR_LOG(error, "node") << "applying tasks " << batch.front().uid << ".."
                               << batch.back().uid << " failed: " << e.what();
    }
    {
      std::lock_guard lock(mu_);
      processing_lo_ = processing_hi_ = 0;
      ++done_gen_;
    }
    done_cv_.notify_all();
    if (!applied) {  // storage trouble: do not spin, the batch is retried
      std::unique_lock lock(mu_);
      work_cv_.wait_for(lock, std::chrono::milliseconds(500), [&] { return stopping_; });
    }
  }
}

}  // namespace miroir::node
