#include "cli/progress.hpp"

#include <cstdio>

#include "core/json_output.hpp"
#include "core/log.hpp"
#include "core/run_clock.hpp"

namespace eclat {

Progress::Progress(double planned_s, bool terminal, std::filesystem::path progress_file)
    : planned_s_(planned_s),
      terminal_(terminal),
      progress_file_(std::move(progress_file)),
      start_(std::chrono::steady_clock::now()) {
  if (terminal_) log::set_status_line(true);
  thread_ = std::thread([this] { loop(); });
}

Progress::~Progress() {
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
  write_file();  // the last figures: a run that stops here is shown as it ended
  if (terminal_) {
    log::set_status_line(false);
    fprintf(stderr, "\r\033[K%s\n", line().c_str());
  }
}

void Progress::observe(const Op& op) {
  std::lock_guard lock(mu_);
  if (op.is_nemesis()) {
    if (op.type != OpType::info) return;
    // start-X opens a fault, stop-X and heal-X close it.
    auto dash = op.f.find('-');
    if (dash == std::string::npos) return;
    std::string verb = op.f.substr(0, dash), fault = op.f.substr(dash + 1);
    if (verb == "start") active_.insert(fault);
    else if (auto it = active_.find(fault); it != active_.end()) active_.erase(it);
    return;
  }
  switch (op.type) {
    case OpType::ok: ++ok_; break;
    case OpType::fail: ++fail_; break;
    case OpType::info: ++info_; break;
    default: break;
  }
}

void Progress::set_phase(const std::string& phase) {
  std::lock_guard lock(mu_);
  phase_ = phase;
  if (phase == "main") main_start_ = std::chrono::steady_clock::now();
  else if (main_start_ != std::chrono::steady_clock::time_point{} && main_end_ == std::chrono::steady_clock::time_point{})
    main_end_ = std::chrono::steady_clock::now();  // the rate stays that of the main phase
}

double Progress::main_seconds_locked() const {
  const auto until = main_end_ == std::chrono::steady_clock::time_point{} ? std::chrono::steady_clock::now() : main_end_;
  return main_start_ == std::chrono::steady_clock::time_point{}
             ? 0
             : std::chrono::duration<double>(until - main_start_).count();
}

nlohmann::json Progress::to_json() const {
  std::lock_guard lock(mu_);
  const double main_s = main_seconds_locked();
  nlohmann::json faults = nlohmann::json::array();
  for (const auto& f : active_) faults.push_back(f);
  return {{"phase", phase_},
          {"run_s", run_clock::seconds()},
          {"main_s", main_s},
          {"planned_s", planned_s_},
          {"ok", ok_},
          {"fail", fail_},
          {"info", info_},
          {"operations_per_s", main_s > 0 ? (ok_ + fail_ + info_) / main_s : 0.0},
          {"active_faults", faults}};
}

std::string Progress::line() const {
  std::lock_guard lock(mu_);
  const double main_s = main_seconds_locked();
  int64_t done = ok_ + fail_ + info_;
  std::string faults;
  for (const auto& f : active_) faults += (faults.empty() ? "" : ",") + f;
  char buf[320];
  snprintf(buf, sizeof buf, "[%s] %.0f/%.0f s | ok %lld fail %lld info %lld | %.0f ops/s | faults: %s",
           phase_.c_str(), main_s, planned_s_, static_cast<long long>(ok_), static_cast<long long>(fail_),
           static_cast<long long>(info_), main_s > 0 ? done / main_s : 0.0,
           faults.empty() ? "none" : faults.c_str());
  return buf;
}

void Progress::write_file() const {
  if (progress_file_.empty()) return;
  try {
    write_json_file(progress_file_, to_json(), -1);
  } catch (const std::exception& e) {  // a browser loses its live view, the run goes on
    ECLAT_LOG(warn, "progress") << e.what();
  }
}

void Progress::loop() {
  // Wakes every half second on a terminal, every second otherwise (the
  // progress file); a CI log gets a line every 5 seconds.
  const auto period = terminal_ ? std::chrono::milliseconds(500) : std::chrono::milliseconds(1000);
  const int log_every = terminal_ ? 1 : 5;
  write_file();
  std::unique_lock lock(mu_);
  for (int tick = 1; !cv_.wait_for(lock, period, [this] { return done_; }); ++tick) {
    lock.unlock();
    write_file();
    if (tick % log_every == 0) {
      std::string l = line();
      if (terminal_) {
        fprintf(stderr, "\r\033[K%s", l.c_str());
        fflush(stderr);
      } else {
        ECLAT_LOG(info, "progress") << l;
      }
    }
    lock.lock();
  }
}

}  // namespace eclat
