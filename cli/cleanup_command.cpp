// eclat cleanup: removes what an older crashed run could have left on the
// host. Runs live in private namespaces that the kernel tears down with them,
// so this should find nothing; it says what it looked for and what it found.
#include <dirent.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "core/errors.hpp"

namespace eclat {
namespace {

const std::vector<std::string> kProcessNames = {"miroir-node", "miroir-orchestrator"};

bool lab_interface(const std::string& name) {
  return name == "eclat0" || name.rfind("vh-", 0) == 0 || name.rfind("eclat", 0) == 0;
}

}  // namespace

int cleanup_command(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      printf("usage: eclat cleanup\n\nKills leftover miroir processes and removes lab interfaces\n"
             "and namespaces an older crashed run could have left on this host.\n");
      return kExitValid;
    }
    throw BadInput("cleanup takes no arguments, got \"" + a + "\"");
  }
  int found = 0;
  // Node processes outside any living lab. A process inside a running lab
  // lives in that lab's pid namespace and dies with it: never touch those
  // (another run may be going on). Only processes in our own pid namespace
  // can be leftovers.
  std::error_code ns_ec;
  const auto own_pid_ns = std::filesystem::read_symlink("/proc/self/ns/pid", ns_ec);
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream comm(entry.path() / "comm");
    std::string name;
    std::getline(comm, name);
    std::error_code ec;
    if (std::filesystem::read_symlink(entry.path() / "ns" / "pid", ec) != own_pid_ns) continue;
    for (const auto& p : kProcessNames) {
      // comm is cut at 15 characters ("miroir-orchestr").
      if (!name.empty() && p.rfind(name, 0) == 0) {
        printf("found process %s (%s): killing it\n", pid.c_str(), p.c_str());
        ::kill(std::stoi(pid), SIGKILL);
        ++found;
      }
    }
  }
  // Lab interfaces on the host network.
  std::error_code ec;
  std::vector<std::filesystem::path> interfaces;
  for (const auto& entry : std::filesystem::directory_iterator("/sys/class/net", ec))
    interfaces.push_back(entry.path());
  for (const auto& path : interfaces) {
    const std::filesystem::directory_entry entry(path);
    const std::string name = entry.path().filename();
    if (!lab_interface(name)) continue;
    // Deleting one end of a veth pair removes the other too.
    if (!std::filesystem::exists(entry.path(), ec)) continue;
    printf("found interface %s: deleting it\n", name.c_str());
    std::string cmd = "ip link delete " + name + " 2>&1";  // iproute2: a one-off, no libnl needed
    if (std::system(cmd.c_str()) != 0) printf("  could not delete %s\n", name.c_str());
    ++found;
  }
  // Named namespaces (Éclat never names them, an older version might have).
  for (const auto& entry : std::filesystem::directory_iterator("/run/netns", ec)) {
    const std::string name = entry.path().filename();
    if (name.rfind("eclat", 0) != 0) continue;
    printf("found network namespace %s: removing it\n", name.c_str());
    ::umount2(entry.path().c_str(), MNT_DETACH);
    std::filesystem::remove(entry.path(), ec);
    ++found;
  }
  if (found == 0) {
    printf("cleanup: nothing found (looked for miroir processes, lab interfaces eclat0/vh-*, "
           "namespaces /run/netns/eclat*)\n");
  } else {
    printf("cleanup: removed %d leftover item(s)\n", found);
  }
  return kExitValid;
}

}  // namespace eclat
