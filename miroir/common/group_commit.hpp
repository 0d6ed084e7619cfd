// Group commit: many threads each need "my item is durably written before I
// answer", and an fsync costs milliseconds (~3 ms on these machines), so one
// transaction per caller caps a store at a few hundred writes per second.
// Callers submit items; whoever finds no write in progress becomes the leader,
// takes every item queued so far, and writes them with ONE durable write (the
// Writer: one transaction, one sync); the others wait for that write and get
// their own result. Nobody is answered before the write holding its item has
// returned, so the durability promise of each caller is unchanged.
#pragma once
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace miroir {

template <class Item, class Result>
class GroupCommit {
 public:
  // Writes a batch atomically and durably; returns one result per item, in order.
  using Writer = std::function<std::vector<Result>(const std::vector<Item>&)>;

  explicit GroupCommit(Writer writer, size_t max_batch = 512)
      : writer_(std::move(writer)), max_batch_(max_batch) {}

  // Returns once the item is written; rethrows the writer's exception.
  Result submit(Item item) {
    auto slot = std::make_shared<Slot>();
    slot->item = std::move(item);
    std::unique_lock lock(mu_);
    queue_.push_back(slot);
    while (!slot->done) {
      if (writing_) {
        cv_.wait(lock);
        continue;
      }
      // Lead: write what is queued (up to max_batch, our own item among them
      // unless it is further back, in which case we lead again after).
      writing_ = true;
      std::vector<std::shared_ptr<Slot>> batch;
      size_t n = std::min(queue_.size(), max_batch_);
      batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      lock.unlock();
      std::vector<Item> items;
      items.reserve(batch.size());
      for (auto& s : batch) items.push_back(std::move(s->item));
      std::vector<Result> results;
      std::exception_ptr error;
      try {
        results = writer_(items);
        if (results.size() != items.size()) throw std::logic_error("group commit: result count mismatch");
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      for (size_t i = 0; i < batch.size(); ++i) {
        if (error)
          batch[i]->error = error;
        else
          batch[i]->result = std::move(results[i]);
        batch[i]->done = true;
      }
      writing_ = false;
      cv_.notify_all();
    }
    if (slot->error) std::rethrow_exception(slot->error);
    return std::move(slot->result);
  }

 private:
  struct Slot {
    Item item;
    Result result{};
    std::exception_ptr error;
    bool done = false;
  };

  Writer writer_;
  size_t max_batch_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<Slot>> queue_;
  bool writing_ = false;
};

}  // namespace miroir
