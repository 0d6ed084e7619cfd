#include "miroir/common/log.hpp"

#include <chrono>
#include <cstdio>
#include <mutex>

namespace miroir::log {
namespace {
std::mutex mu;
const auto start = std::chrono::steady_clock::now();

const char* name(Level l) {
  switch (l) {
    case Level::debug: return "DEBUG";
    case Level::info: return "INFO";
    case Level::warn: return "WARN";
    case Level::error: return "ERROR";
  }
  return "?";
}
}  // namespace

void write(Level level, const std::string& component, const std::string& message) {
  if (level < Level::info) return;  // debug lines are for a debugger's build
  const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::lock_guard lock(mu);
  // One fprintf per line: stderr is unbuffered, a killed node keeps every line.
  fprintf(stderr, "%9.3f %-5s [%s] %s\n", t, name(level), component.c_str(), message.c_str());
}

}  // namespace miroir::log
