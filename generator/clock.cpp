#include "generator/clock.hpp"

#include <algorithm>
#include <thread>

namespace eclat::gen {

double SteadyClock::now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_).count();
}

bool SteadyClock::sleep_until(double t, const std::function<bool()>& stopped) {
  // In slices: a signal handler sets the stop flag and cannot notify.
  constexpr double kSlice = 0.05;
  while (true) {
    if (stopped()) return false;
    const double left = t - now();
    if (left <= 0) return true;
    std::this_thread::sleep_for(std::chrono::duration<double>(std::min(left, kSlice)));
  }
}

double VirtualClock::now() {
  std::lock_guard lock(mu_);
  return now_;
}

bool VirtualClock::sleep_until(double t, const std::function<bool()>& stopped) {
  if (stopped()) return false;
  std::lock_guard lock(mu_);
  now_ = std::max(now_, t);
  return true;
}

void VirtualClock::advance(double dt) {
  std::lock_guard lock(mu_);
  now_ += dt;
}

}  // namespace eclat::gen
