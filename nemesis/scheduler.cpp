#include "nemesis/scheduler.hpp"

#include <cstdio>

#include "core/log.hpp"
#include "generator/combinators.hpp"
#include "generator/driver.hpp"

namespace eclat {
namespace {
constexpr NumberSetting kInterval{"nemesis-interval", 5, 0.1, 86400, "seconds between two faults"};
constexpr NumberSetting kDuration{"nemesis-duration", 5, 0.1, 86400, "seconds a fault stays on before it is healed"};
const bool registered = framework_settings("nemesis", {&kInterval, &kDuration});
}  // namespace

nlohmann::json record_nemesis_op(HistoryWriter& history, const std::string& f,
                                 const std::function<nlohmann::json()>& action, FaultLog* log,
                                 const std::string& source, const std::string& note) {
  Op op;
  op.process = kNemesisProcess;
  op.f = f;
  op.type = OpType::invoke;
  FaultRecord rec;
  if (log) rec.t = log->now();
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
  if (log) {
    rec.f = f;
    rec.value = op.value;
    rec.source = source;
    rec.error = op.error;
    rec.note = note;
    log->write(rec);
  }
  return op.value;
}

NemesisScheduler::NemesisScheduler(std::vector<std::string> faults, NemesisContext ctx, HistoryWriter& history,
                                   FaultLog* log)
    : ctx_(ctx), history_(history), log_(log) {
  const double interval = kInterval(ctx.cfg.settings);
  const double duration = kDuration(ctx.cfg.settings);
  for (const auto& n : faults) {
    packages_.push_back(gen::interval_package(n, interval, duration));
    instance(n, "nemesis");  // made now: unknown names fail before the run
  }
  if (!packages_.empty()) schedule_ = gen::interval_nemesis(packages_);
}

NemesisScheduler::NemesisScheduler(gen::GenPtr schedule, std::map<std::string, TestConfig> instance_cfgs,
                                   NemesisContext ctx, HistoryWriter& history, FaultLog* log)
    : schedule_(std::move(schedule)), instance_cfgs_(std::move(instance_cfgs)), ctx_(ctx), history_(history), log_(log) {}

NemesisScheduler::~NemesisScheduler() { stop(); }

int NemesisScheduler::cycles_that_fit(const TestConfig& cfg) {
  const double interval = kInterval(cfg.settings), duration = kDuration(cfg.settings);
  // The k-th start comes at k*interval + (k-1)*duration; the main phase
  // ends at the time limit, and a start at that moment does not happen.
  int k = 0;
  while ((k + 1) * interval + k * duration < cfg.time_limit && k < 1000000) ++k;
  return k;
}

std::string NemesisScheduler::fit_warning(const std::vector<std::string>& faults, const TestConfig& cfg) {
  const int k = cycles_that_fit(cfg);
  if (faults.empty() || k >= static_cast<int>(faults.size())) return {};
  const double interval = kInterval(cfg.settings), duration = kDuration(cfg.settings);
  auto g = [](double x) {
    char b[32];
    snprintf(b, sizeof b, "%g", x);
    return std::string(b);
  };
  const size_t n = faults.size();
  return std::to_string(n) + " faults requested but only " + std::to_string(k) + " fault cycle" + (k == 1 ? "" : "s") +
         " fit" + (k == 1 ? "s" : "") + " in --time-limit " + g(cfg.time_limit) + " (nemesis-interval " + g(interval) +
         " s, then nemesis-duration " + g(duration) + " s, per fault): " + std::to_string(n - k) +
         " of them will not run; a time limit above " + g(n * interval + (n - 1) * duration) +
         " s, or a shorter --set nemesis-interval / nemesis-duration, runs them all";
}

NemesisScheduler::Instance& NemesisScheduler::instance(const std::string& fault, const std::string& source) {
  for (auto& i : instances_)
    if (i->fault == fault && i->source == source) return *i;
  auto i = std::make_unique<Instance>();
  i->fault = fault;
  i->source = source;
  i->impl = make_fault(fault);
  auto c = instance_cfgs_.find(source);
  i->cfg = c == instance_cfgs_.end() ? &ctx_.cfg : &c->second;
  instances_.push_back(std::move(i));
  return *instances_.back();
}

// On the nemesis thread: one operation of the schedule, recorded.
Op NemesisScheduler::execute(const Op& op, const std::string& note) {
  const auto [action, fault] = gen::split_nemesis_f(op.f);
  Op done = op;
  done.type = OpType::info;
  if (action.empty()) {
    ECLAT_LOG(error, "nemesis") << "not a nemesis operation: " << op.f;
    return done;
  }
  Instance& in = instance(fault, op.key.value_or("nemesis"));
  NemesisContext c{ctx_.net, ctx_.tc, ctx_.system, *in.cfg, ctx_.rng};
  if (action == "start") {
    in.active = true;
    done.value = record_nemesis_op(
        history_, op.f, [&] { return in.impl->start(c, op.value.is_null() ? in.impl->plan(c) : op.value); }, log_,
        in.source);
  } else if (action == "stop") {
    in.active = false;
    done.value = record_nemesis_op(history_, op.f, [&] { return in.impl->stop(c); }, log_, in.source, note);
  } else {
    done.value = record_nemesis_op(history_, op.f, [&] { return in.impl->heal(c); }, log_, in.source);
  }
  return done;
}

void NemesisScheduler::start(gen::Clock& clock) {
  if (!schedule_) return;
  // No fault starts at or after the time limit: the main phase is over then,
  // and a kill at its last instant only made the run wait out the timeouts
  // of the operations it cut (a 5 s run took 10).
  schedule_ = gen::time_limit(ctx_.cfg.time_limit, std::move(schedule_));
  thread_ = std::thread([this, &clock] {
    gen::Context ctx{clock.now(), gen::kNemesisThread, 1, kNemesisProcess, &ctx_.rng};
    gen::drive({*schedule_, lock_, clock, ctx}, [this] { return stopping_.load(); },
               [this](const Op& op, const gen::Context&) { return execute(op); });
  });
}

void NemesisScheduler::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  // Stopped early or not, an active fault is undone now.
  for (auto& i : instances_) {
    if (!i->active) continue;
    Op op = gen::nemesis_op("stop", i->fault);
    if (i->source != "nemesis") op.key = i->source;
    execute(op, kEndOfMainPhase);
  }
}

void NemesisScheduler::heal_all() {
  // The packages' final operations; a replayed schedule heals what it used.
  for (const auto& p : packages_) execute(p.final_op);
  if (!packages_.empty()) return;
  for (auto& i : instances_) {
    Op heal = gen::nemesis_op("heal", i->fault);
    if (i->source != "nemesis") heal.key = i->source;
    execute(heal);
  }
}

}  // namespace eclat
