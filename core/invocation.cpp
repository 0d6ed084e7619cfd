#include "core/invocation.hpp"

#include <sys/utsname.h>
#include <unistd.h>


#include "core/run_clock.hpp"
#include "core/version.hpp"

namespace eclat {
namespace {
std::vector<std::string>& words() {
  static std::vector<std::string> w;
  return w;
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
  static const std::string started = run_clock::utc(run_clock::seconds());
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
