#include "core/run_clock.hpp"

#include <atomic>
#include <cstdio>
#include <ctime>

namespace eclat::run_clock {
namespace {
struct Epoch {
  std::chrono::steady_clock::time_point steady = std::chrono::steady_clock::now();
  std::chrono::system_clock::time_point wall = std::chrono::system_clock::now();
};
// Written once by start() before any thread that reads it exists.
Epoch& the_epoch() {
  static Epoch e;
  return e;
}
}  // namespace

void start() { the_epoch() = Epoch{}; }

std::chrono::steady_clock::time_point epoch() { return the_epoch().steady; }

double seconds() { return std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch()).count(); }

std::string utc(double run_seconds) {
  const auto at = the_epoch().wall + std::chrono::microseconds(static_cast<int64_t>(run_seconds * 1e6));
  const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

}  // namespace eclat::run_clock
