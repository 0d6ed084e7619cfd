#include "core/invocation.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include "core/version.hpp"

namespace eclat {
namespace {
std::vector<std::string>& words() {
  static std::vector<std::string> w;
  return w;
}

std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
  return out;
}
}  // namespace

void set_command_line(int argc, char** argv) {
  words().assign(argv, argv + argc);
  if (!words().empty()) words()[0] = "eclat";  // the binary's path is the machine's, not the run's
}

const std::vector<std::string>& command_line() { return words(); }

std::string shell_quote(const std::vector<std::string>& ws) {
  std::string out;
  for (const auto& w : ws) {
    if (!out.empty()) out += ' ';
    bool plain = !w.empty();
    for (char c : w)
      if (!(isalnum(static_cast<unsigned char>(c)) || std::string_view("-_./=:,+@%").find(c) != std::string_view::npos))
        plain = false;
    if (plain) {
      out += w;
      continue;
    }
    out += '\'';
    for (char c : w) {
      if (c == '\'') out += "'\\''";
      else out += c;
    }
    out += '\'';
  }
  return out;
}

nlohmann::json run_identity() {
  static const std::string started = utc_now();
  nlohmann::json j;
  j["command_line"] = shell_quote(command_line());
  j["version"] = version();
  j["commit"] = commit();
  utsname u{};
  if (uname(&u) == 0) {
    j["kernel"] = std::string(u.sysname) + " " + u.release;
    j["host"] = u.nodename;
  }
  j["started_utc"] = started;
  return j;
}

}  // namespace eclat
