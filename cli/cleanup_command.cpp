// eclat cleanup: removes what an older crashed run could have left on the
// host. Runs live in private namespaces that the kernel tears down with them,
// so this should find nothing; it says what it looked for and what it found.
//
// Processes: only those of Éclat's own runs. A candidate has the name of a
// process some registered system runs (PartInfo::process_names, so every
// pack's nodes are looked for) and lives in this pid namespace; it is an
// Éclat leftover only if its environment carries the run marker every node
// process gets (ECLAT_RUN=<run>, cluster/process.hpp). A process of the same
// name without it (a system etcd, somebody's own miroir-node) is left alone
// and named. --dry-run says what would be removed and removes nothing.
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cluster/process.hpp"
#include "core/catalog.hpp"
#include "core/errors.hpp"

namespace eclat {
namespace {

namespace fs = std::filesystem;

bool lab_interface(const std::string& name) {
  return name == "eclat0" || name.rfind("vh-", 0) == 0 || name.rfind("eclat", 0) == 0;
}

// Process name -> the system that runs it, from every registered system.
std::map<std::string, std::string> node_process_names() {
  std::map<std::string, std::string> out;
  for (const PartInfo* s : catalog().all(PartKind::system))
    for (const auto& p : s->process_names) out[p] = s->name;
  return out;
}

// The value of ECLAT_RUN in the process's environment; empty when absent.
std::string run_marker_of(const fs::path& proc) {
  std::ifstream in(proc / "environ", std::ios::binary);
  const std::string env((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string key = std::string(kRunMarkerVariable) + "=";
  size_t start = 0;
  while (start < env.size()) {
    size_t end = env.find('\0', start);
    if (end == std::string::npos) end = env.size();
    if (env.compare(start, key.size(), key) == 0) return env.substr(start + key.size(), end - start - key.size());
    start = end + 1;
  }
  return "";
}

}  // namespace

int cleanup_command(const std::vector<std::string>& args) {
  bool dry_run = false;
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      std::string names;
      for (const auto& [p, s] : node_process_names()) names += (names.empty() ? "" : ", ") + p + " (" + s + ")";
      printf("usage: eclat cleanup [--dry-run]\n\n"
             "Kills leftover node processes of Éclat runs and removes lab interfaces and\n"
             "namespaces an older crashed run could have left on this host. Processes\n"
             "looked for: %s; one is removed only if its environment carries %s\n"
             "(the mark every run puts on its node processes); a process of the same name\n"
             "without it is left alone and named. --dry-run: say what would be removed.\n",
             names.c_str(), kRunMarkerVariable);
      return kExitValid;
    }
    if (a == "--dry-run") dry_run = true;
    else throw BadInput("cleanup: unknown argument \"" + a + "\" (usage: eclat cleanup [--dry-run])");
  }
  const char* verb = dry_run ? "would remove it" : "removing it";  // namespaces
  int found = 0, left = 0;
  const auto names = node_process_names();
  // Node processes outside any living lab. A process inside a running lab
  // lives in that lab's pid namespace and dies with it: never touch those
  // (another run may be going on). Only processes in our own pid namespace
  // can be leftovers.
  std::error_code ns_ec;
  const auto own_pid_ns = fs::read_symlink("/proc/self/ns/pid", ns_ec);
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream comm(entry.path() / "comm");
    std::string name;
    std::getline(comm, name);
    std::error_code ec;
    if (name.empty() || fs::read_symlink(entry.path() / "ns" / "pid", ec) != own_pid_ns) continue;
    for (const auto& [p, system] : names) {
      // comm is cut at 15 characters ("miroir-orchestr").
      if (p.rfind(name, 0) != 0 || (name.size() < 15 && name != p)) continue;
      const std::string run = run_marker_of(entry.path());
      if (run.empty()) {
        printf("left alone: process %s (%s) has %s's name but no Éclat run started it (no %s)\n", pid.c_str(),
               p.c_str(), system.c_str(), kRunMarkerVariable);
        ++left;
      } else {
        printf("found process %s (%s of run %s): %s\n", pid.c_str(), p.c_str(), run.c_str(),
               dry_run ? "would kill it" : "killing it");
        if (!dry_run) ::kill(std::stoi(pid), SIGKILL);
        ++found;
      }
      break;
    }
  }
  // Lab interfaces on the host network.
  std::error_code ec;
  std::vector<fs::path> interfaces;
  for (const auto& entry : fs::directory_iterator("/sys/class/net", ec)) interfaces.push_back(entry.path());
  for (const auto& path : interfaces) {
    const std::string name = path.filename();
    if (!lab_interface(name)) continue;
    // Deleting one end of a veth pair removes the other too.
    if (!fs::exists(path, ec)) continue;
    printf("found interface %s: %s\n", name.c_str(), dry_run ? "would delete it" : "deleting it");
    ++found;
    if (dry_run) continue;
    std::string cmd = "ip link delete " + name + " 2>&1";  // iproute2: a one-off, no libnl needed
    if (std::system(cmd.c_str()) != 0) printf("  could not delete %s\n", name.c_str());
  }
  // Named namespaces (Éclat never names them, an older version might have).
  for (const auto& entry : fs::directory_iterator("/run/netns", ec)) {
    const std::string name = entry.path().filename();
    if (name.rfind("eclat", 0) != 0) continue;
    printf("found network namespace %s: %s\n", name.c_str(), verb);
    ++found;
    if (dry_run) continue;
    ::umount2(entry.path().c_str(), MNT_DETACH);
    fs::remove(entry.path(), ec);
  }
  std::string looked;
  for (const auto& [p, _] : names) looked += (looked.empty() ? "" : ", ") + p;
  if (found == 0) {
    printf("cleanup: nothing found (looked for processes %s marked %s, lab interfaces eclat0/vh-*, "
           "namespaces /run/netns/eclat*)%s\n",
           looked.c_str(), kRunMarkerVariable,
           left ? ("; " + std::to_string(left) + " process(es) of the same names left alone").c_str() : "");
  } else {
    printf("cleanup: %s %d leftover item(s)%s\n", dry_run ? "would remove" : "removed", found,
           left ? ("; " + std::to_string(left) + " process(es) of the same names left alone").c_str() : "");
  }
  return kExitValid;
}

}  // namespace eclat
