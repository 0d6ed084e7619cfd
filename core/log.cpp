#include "core/log.hpp"

#include <chrono>
#include <cstdio>
#include <mutex>

#include "core/run_clock.hpp"

namespace eclat::log {
namespace {
std::mutex mu;
FILE* file = nullptr;
Level stderr_level = Level::info;
bool status_line = false;

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

void to_file(const std::string& path) {
  std::lock_guard lock(mu);
  if (file) fclose(file);
  file = path.empty() ? nullptr : fopen(path.c_str(), "ae");
}

void set_stderr_level(Level level) {
  std::lock_guard lock(mu);
  stderr_level = level;
}

void set_status_line(bool active) {
  std::lock_guard lock(mu);
  status_line = active;
}

void write(Level level, const std::string& component, const std::string& message) {
  const double t = run_clock::seconds();  // the run's time base (core/run_clock.hpp)
  char head[96];
  snprintf(head, sizeof head, "%9.3f %-5s [%s] ", t, name(level), component.c_str());
  std::lock_guard lock(mu);
  if (level >= stderr_level) {
    fprintf(stderr, "%s%s%s\n", status_line ? "\r\033[K" : "", head, message.c_str());
  }
  if (file) {
    fprintf(file, "%s%s\n", head, message.c_str());
    fflush(file);  // a run killed at any moment keeps its log
  }
}

}  // namespace eclat::log
