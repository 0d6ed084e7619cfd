#include "nemesis/triggers.hpp"

#include <algorithm>
#include <set>

#include "cluster/system.hpp"
#include "core/catalog.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "nemesis/scheduler.hpp"

namespace eclat {
namespace {

const std::set<std::string> kKeys = {"on", "fault", "for", "until", "times", "with"};

std::string text_of(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// "KIND:NAME" (an event of the system's vocabulary, PartInfo::events) or
// "at:S", checked; `what` names the trigger.
void check_event(const std::string& spec, bool allow_at, const TestConfig& cfg, const std::string& what) {
  auto colon = spec.find(':');
  const std::string kind = spec.substr(0, colon), arg = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (kind == "at" && allow_at) {
    size_t used = 0;
    double s = -1;
    try {
      s = std::stod(arg, &used);
    } catch (...) {
      used = 0;
    }
    if (used == arg.size() && used > 0 && s >= 0) return;
    throw BadInput(what + ": \"" + spec + "\": at: needs a number of seconds >= 0");
  }
  const PartInfo* system = catalog().find(PartKind::system, cfg.system);
  const auto& events = system ? system->events : std::map<std::string, std::vector<std::string>>{};
  if (auto it = events.find(kind); it != events.end())
    if (std::find(it->second.begin(), it->second.end(), arg) != it->second.end()) return;
  std::string known = allow_at ? "at:SECONDS" : "";
  for (const auto& [k, names] : events) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : " ") + n;
    known += (known.empty() ? "" : ", or ") + k + ":NAME with NAME one of " + list;
  }
  if (events.empty()) known += std::string(known.empty() ? "" : "; ") + "system \"" + cfg.system + "\" reports no events";
  throw BadInput(what + ": \"" + spec + "\" is not an event (" + known + ")");
}

TestConfig with_settings(const TestConfig& cfg, const nlohmann::json& t, const std::string& what) {
  TestConfig c = cfg;
  if (!t.contains("with")) return c;
  if (!t["with"].is_object()) throw BadInput(what + ": \"with\" must be an object of settings");
  for (const auto& [k, v] : t["with"].items()) {
    try {
      c.settings.put(k, text_of(v));
    } catch (const BadInput& e) {
      throw BadInput(what + ": " + e.what());
    }
  }
  return c;
}

double number(const nlohmann::json& t, const char* key, const std::string& what, double min) {
  if (!t.contains(key)) return -1;
  const auto& v = t[key];
  if (!v.is_number() || v.get<double>() < min)
    throw BadInput(what + ": \"" + key + "\" must be a number >= " + std::to_string(min).substr(0, 3));
  return v.get<double>();
}

bool matches(const std::string& spec, const SystemEvent& ev) { return spec == ev.kind + ":" + ev.name; }

}  // namespace

struct TriggerSchedule::Trigger {
  std::string name;     // "trigger 2 (kill-coordinator on phase:draining)"
  std::string source;   // "trigger 2" (faults.jsonl)
  std::string on, fault, until;
  double for_s = -1;
  int times = 1;
  TestConfig cfg;
  std::unique_ptr<Fault> instance;
  int fired = 0;
  bool active = false;
};

void TriggerSchedule::validate(const TestConfig& cfg, const System& system) {
  int i = 0;
  for (const auto& t : cfg.triggers) {
    const std::string what = "trigger " + std::to_string(++i);
    for (const auto& [k, _] : t.items())
      if (!kKeys.count(k))
        throw BadInput(what + ": unknown key \"" + k + "\" (known: on, fault, for, until, times, with)");
    if (!t.contains("on") || !t["on"].is_string()) throw BadInput(what + ": needs \"on\": an event");
    if (!t.contains("fault") || !t["fault"].is_string()) throw BadInput(what + ": needs \"fault\": a fault name");
    const std::string on = t["on"], fault = t["fault"];
    check_event(on, true, cfg, what);
    if (t.contains("until")) {
      if (!t["until"].is_string()) throw BadInput(what + ": \"until\" must be an event");
      check_event(t["until"], false, cfg, what);
    }
    number(t, "for", what, 0);
    if (t.contains("times") && (!t["times"].is_number_integer() || t["times"].get<int>() < 1))
      throw BadInput(what + ": \"times\" must be a whole number >= 1");
    TestConfig c = with_settings(cfg, t, what);
    make_fault(fault)->validate(c, system);  // BadInput for unknown names
  }
}

TestConfig TriggerSchedule::settings_of(const TestConfig& cfg, size_t n) {
  if (n < 1 || n > cfg.triggers.size()) return cfg;
  return with_settings(cfg, cfg.triggers[n - 1], "trigger " + std::to_string(n));
}

TriggerSchedule::TriggerSchedule(const TestConfig& cfg, NemesisContext ctx, HistoryWriter& history, FaultLog* log,
                                 bool fire)
    : rng_(cfg.seed ^ 0x7269676765727321ULL), ctx_{ctx.net, ctx.tc, ctx.system, ctx.cfg, rng_}, history_(history), log_(log) {
  int i = 0;
  for (const auto& t : fire ? cfg.triggers : nlohmann::json::array()) {
    auto trig = std::make_unique<Trigger>();
    trig->on = t["on"];
    trig->fault = t["fault"];
    trig->source = "trigger " + std::to_string(++i);
    trig->name = trig->source + " (" + trig->fault + " on " + trig->on + ")";
    trig->until = t.value("until", "");
    trig->for_s = t.contains("for") ? t["for"].get<double>() : -1;
    trig->times = t.value("times", 1);
    trig->cfg = with_settings(cfg, t, trig->name);
    trig->instance = make_fault(trig->fault);
    triggers_.push_back(std::move(trig));
  }
  watch_ = ctx.system.wants_events(cfg);
}

TriggerSchedule::~TriggerSchedule() {
  stop();
  finish();
}

void TriggerSchedule::schedule(std::chrono::steady_clock::time_point at, std::function<void()> action) {
  {
    std::lock_guard lock(mu_);
    queue_.emplace_back(at, std::move(action));
  }
  cv_.notify_all();
}

void TriggerSchedule::start() {
  main_start_ = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    firing_ = true;
  }
  executor_ = std::thread([this] { run(); });
  for (auto& t : triggers_) {
    if (t->on.rfind("at:", 0) != 0) continue;
    auto at = main_start_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                std::chrono::duration<double>(std::stod(t->on.substr(3))));
    Trigger* tp = t.get();
    schedule(at, [this, tp] { fire(*tp, {{"at_s", std::stod(tp->on.substr(3))}}); });
  }
  if (watch_) ctx_.system.watch_events([this](const SystemEvent& ev) { on_event(ev); });
}

void TriggerSchedule::on_event(const SystemEvent& ev) {
  Op op;
  op.process = kNemesisProcess;
  op.type = OpType::info;
  op.f = ev.record_as;
  op.value = ev.value;
  history_.record(op);
  ECLAT_LOG(info, ev.record_as) << ev.summary;
  {
    std::lock_guard lock(mu_);
    if (!firing_) return;  // the main phase is over: recorded, not acted on
  }
  const auto now = std::chrono::steady_clock::now();
  for (auto& t : triggers_) {
    Trigger* tp = t.get();
    if (matches(t->on, ev)) schedule(now, [this, tp, ev] { fire(*tp, ev.value); });
    if (!t->until.empty() && matches(t->until, ev))
      schedule(now, [this, tp, ev] {
        if (!tp->active) return;
        tp->active = false;
        record_nemesis_op(history_, "stop-" + tp->fault, [&] {
          nlohmann::json r = tp->instance->stop(ctx_);
          r["trigger"] = tp->name;
          r["cause"] = ev.value;
          return r;
        }, log_, tp->source);
      });
  }
}

// On the executor thread only, so a trigger's start and stop never overlap.
void TriggerSchedule::fire(Trigger& t, const nlohmann::json& cause) {
  if (t.active || t.fired >= t.times) return;
  ++t.fired;
  t.active = true;
  NemesisContext c{ctx_.net, ctx_.tc, ctx_.system, t.cfg, rng_};
  record_nemesis_op(history_, "start-" + t.fault, [&] {
    nlohmann::json r = t.instance->start(c, t.instance->plan(c));
    if (!r.is_object()) r = {{"result", r}};
    r["trigger"] = t.name;
    r["cause"] = cause;
    return r;
  }, log_, t.source);
  if (t.for_s >= 0) {
    Trigger* tp = &t;
    schedule(std::chrono::steady_clock::now() +
                 std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(t.for_s)),
             [this, tp] {
               if (!tp->active) return;
               tp->active = false;
               NemesisContext c2{ctx_.net, ctx_.tc, ctx_.system, tp->cfg, rng_};
               record_nemesis_op(history_, "stop-" + tp->fault, [&] {
                 nlohmann::json r = tp->instance->stop(c2);
                 r["trigger"] = tp->name;
                 return r;
               }, log_, tp->source);
             });
  }
}

void TriggerSchedule::run() {
  std::unique_lock lock(mu_);
  while (true) {
    if (!firing_) return;
    auto next = std::min_element(queue_.begin(), queue_.end(),
                                 [](const auto& a, const auto& b) { return a.first < b.first; });
    if (next == queue_.end()) {
      cv_.wait(lock);
      continue;
    }
    if (next->first > std::chrono::steady_clock::now()) {
      cv_.wait_until(lock, next->first);
      continue;
    }
    auto action = std::move(next->second);
    queue_.erase(next);
    lock.unlock();
    action();
    lock.lock();
  }
}

void TriggerSchedule::stop() {
  {
    std::lock_guard lock(mu_);
    if (!firing_ && !executor_.joinable()) return;
    firing_ = false;
    queue_.clear();
  }
  cv_.notify_all();
  if (executor_.joinable()) executor_.join();
  for (auto& t : triggers_) {
    if (!t->active) continue;
    t->active = false;
    NemesisContext c{ctx_.net, ctx_.tc, ctx_.system, t->cfg, rng_};
    record_nemesis_op(history_, "stop-" + t->fault, [&] {
      nlohmann::json r = t->instance->stop(c);
      r["trigger"] = t->name;
      r["cause"] = "end of the main phase";
      return r;
    }, log_, t->source, kEndOfMainPhase);
  }
}

void TriggerSchedule::heal_all() {
  for (auto& t : triggers_) {
    if (t->fired == 0) continue;
    NemesisContext c{ctx_.net, ctx_.tc, ctx_.system, t->cfg, rng_};
    record_nemesis_op(history_, "heal-" + t->fault, [&] { return t->instance->heal(c); }, log_, t->source);
  }
}

void TriggerSchedule::finish() {
  if (watch_ && !stopping_) {
    stopping_ = true;
    ctx_.system.stop_watching_events();
  }
}

}  // namespace eclat
