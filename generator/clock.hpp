// The clock generators are driven by: the steady clock for a real run, a
// virtual one for tests (sleeping only moves its hands, so a test of a
// 30-second schedule takes microseconds).
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>

namespace eclat::gen {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since this clock's epoch (the start of the main phase).
  virtual double now() = 0;
  // Until `t` (no-op when past). Returns false when `stopped` turned true
  // meanwhile (checked at least every 50 ms on a real clock).
  virtual bool sleep_until(double t, const std::function<bool()>& stopped) = 0;
};

class SteadyClock : public Clock {
 public:
  explicit SteadyClock(std::chrono::steady_clock::time_point epoch) : epoch_(epoch) {}
  double now() override;
  bool sleep_until(double t, const std::function<bool()>& stopped) override;
  std::chrono::steady_clock::time_point epoch() const { return epoch_; }

 private:
  std::chrono::steady_clock::time_point epoch_;
};

// Time moves only when someone sleeps (or advance() is called).
class VirtualClock : public Clock {
 public:
  double now() override;
  bool sleep_until(double t, const std::function<bool()>& stopped) override;
  void advance(double dt);

 private:
  std::mutex mu_;
  double now_ = 0;
};

}  // namespace eclat::gen
