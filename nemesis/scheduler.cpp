#include "nemesis/scheduler.hpp"

#include <algorithm>
#include <chrono>
#include <numeric>

#include "core/log.hpp"

namespace eclat {

NemesisScheduler::NemesisScheduler(std::vector<std::string> faults, NemesisContext ctx,
                                   HistoryWriter& history)
    : names_(std::move(faults)),
      ctx_(ctx),
      history_(history),
      interval_s_(ctx.cfg.settings.get_double("nemesis-interval", 5, 0.1, 86400)),
      duration_s_(ctx.cfg.settings.get_double("nemesis-duration", 5, 0.1, 86400)) {
  for (const auto& n : names_) faults_.push_back(make_fault(n));
}

NemesisScheduler::~NemesisScheduler() { stop(); }

void NemesisScheduler::start() {
  if (faults_.empty()) return;
  thread_ = std::thread([this] { loop(); });
}

void NemesisScheduler::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool NemesisScheduler::wait(double seconds) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return stopping_; });
}

nlohmann::json record_nemesis_op(HistoryWriter& history, const std::string& f,
                                 const std::function<nlohmann::json()>& action) {
  Op op;
  op.process = kNemesisProcess;
  op.f = f;
  op.type = OpType::invoke;
  history.record(op);
  op.type = OpType::info;
  try {
    op.value = action();
  } catch (const std::exception& e) {
    op.error = e.what();
    ECLAT_LOG(error, "nemesis") << f << " failed: " << e.what();
  }
  history.record(op);
  ECLAT_LOG(info, "nemesis") << f << " " << (op.error.empty() ? op.value.dump() : op.error);
  return op.value;
}

void NemesisScheduler::loop() {
  std::vector<size_t> order;
  size_t next = 0;
  while (wait(interval_s_)) {
    if (next == order.size()) {
      order.resize(faults_.size());
      std::iota(order.begin(), order.end(), 0);
      std::shuffle(order.begin(), order.end(), ctx_.rng);
      next = 0;
    }
    size_t i = order[next++];
    Fault& fault = *faults_[i];
    record_nemesis_op(history_, "start-" + names_[i], [&] { return fault.start(ctx_, fault.plan(ctx_)); });
    wait(duration_s_);  // stopped early or not, the fault is undone now
    record_nemesis_op(history_, "stop-" + names_[i], [&] { return fault.stop(ctx_); });
  }
}

void NemesisScheduler::heal_all() {
  for (size_t i = 0; i < faults_.size(); ++i) {
    record_nemesis_op(history_, "heal-" + names_[i], [&] { return faults_[i]->heal(ctx_); });
  }
}

}  // namespace eclat
