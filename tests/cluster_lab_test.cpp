// lab::enter() seen from outside: this test binary stays on the host and runs
// cluster_lab_helper, which enters a lab. Killing the helper with SIGKILL must
// leave nothing behind: no process, no interface, no namespace, no mount.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#ifndef ECLAT_LAB_HELPER
#error "ECLAT_LAB_HELPER must name the helper binary"
#endif

namespace {

using namespace std::chrono_literals;

std::string run(const std::string& cmd) {
  std::string out;
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return out;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), f)) > 0) out.append(buf.data(), n);
  pclose(f);
  return out;
}

std::set<std::string> dir_names(const std::string& dir) {
  std::set<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') out.insert(e->d_name);
    closedir(d);
  }
  return out;
}

// Interface names from `ip -o link` (field 2), without counters or state.
std::set<std::string> ip_link_names() {
  std::set<std::string> out;
  std::istringstream in(run("ip -o link show 2>/dev/null"));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string idx, name;
    ls >> idx >> name;
    out.insert(name);
  }
  return out;
}

std::set<std::string> mount_points() {
  std::set<std::string> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string id, parent, dev, root, mp;
    ls >> id >> parent >> dev >> root >> mp;
    out.insert(mp);
  }
  return out;
}

struct HostState {
  std::set<std::string> sys_class_net, links, mounts;
  std::string netns;
  bool operator==(const HostState&) const = default;
};

HostState host_state() {
  return {dir_names("/sys/class/net"), ip_link_names(), mount_points(), run("ip netns list 2>&1")};
}

std::map<pid_t, pid_t> parents() {  // pid -> ppid, host view
  std::map<pid_t, pid_t> out;
  for (const auto& name : dir_names("/proc")) {
    if (!std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    std::ifstream in("/proc/" + name + "/stat");
    std::string s;
    std::getline(in, s);
    auto r = s.rfind(')');
    if (r == std::string::npos) continue;
    std::istringstream rest(s.substr(r + 2));
    char state;
    pid_t ppid;
    rest >> state >> ppid;
    out[std::stoi(name)] = ppid;
  }
  return out;
}

std::vector<pid_t> descendants(pid_t root) {
  auto par = parents();
  std::vector<pid_t> out;
  std::set<pid_t> frontier{root};
  bool grew = true;
  while (grew) {
    grew = false;
    for (auto [pid, ppid] : par)
      if (frontier.count(ppid) && !frontier.count(pid)) {
        frontier.insert(pid);
        out.push_back(pid);
        grew = true;
      }
  }
  return out;
}

std::string comm(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
  std::string s;
  std::getline(in, s);
  return s;
}

std::string netns_link(pid_t pid) {
  char buf[64] = {};
  ssize_t n = readlink(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

bool alive(pid_t pid) { return kill(pid, 0) == 0 || errno != ESRCH; }

struct Helper {
  pid_t pid = -1;
  int out = -1;
};

Helper spawn(const std::vector<std::string>& args, const std::string& as_user = "") {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return {};
  pid_t pid = fork();
  if (pid == 0) {
    dup2(p[1], STDOUT_FILENO);
    std::vector<std::string> full;
    if (!as_user.empty()) full = {"/usr/bin/setpriv", "--reuid=" + as_user, "--regid=" + as_user, "--clear-groups"};
    full.push_back(ECLAT_LAB_HELPER);
    full.insert(full.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : full) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(p[1]);
  return {pid, p[0]};
}

std::string read_line(int fd, std::chrono::milliseconds timeout) {
  std::string line;
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now()).count());
    if (poll(&p, 1, std::max(left, 0)) <= 0) break;
    char c;
    if (read(fd, &c, 1) != 1) break;
    if (c == '\n') return line;
    line += c;
  }
  return line;
}

int wait_status(pid_t pid, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  int st = 0;
  while (std::chrono::steady_clock::now() < end) {
    if (waitpid(pid, &st, WNOHANG) == pid) return st;
    std::this_thread::sleep_for(5ms);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &st, 0);
  return -1;
}

int exit_code(int st) { return WIFEXITED(st) ? WEXITSTATUS(st) : -1000 - (WIFSIGNALED(st) ? WTERMSIG(st) : 0); }

void sigkill_leaves_nothing(const std::string& as_user) {
  // Orphans of the helper come back to this process, so they can be reaped
  // and their disappearance checked by pid.
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  const HostState before = host_state();
  const std::string host_netns = netns_link(getpid());

  constexpr int kNodes = 3;
  Helper h = spawn({"nodes", std::to_string(kNodes)}, as_user);
  ASSERT_GT(h.pid, 0);
  ASSERT_EQ(read_line(h.out, 20000ms), "ready");
  // setpriv execs the helper in place: h.pid is the outer parent either way.
  if (!as_user.empty()) {
    std::ifstream status("/proc/" + std::to_string(h.pid) + "/status");
    std::string line;
    while (std::getline(status, line))
      if (line.rfind("Uid:", 0) == 0) break;
    EXPECT_NE(line.find(as_user), std::string::npos) << "the helper is not unprivileged: " << line;
  }
  std::vector<pid_t> lab = descendants(h.pid);
  int sleeps = 0;
  std::set<std::string> lab_netns;
  for (pid_t p : lab) {
    if (comm(p) == "sleep") ++sleeps;
    lab_netns.insert(netns_link(p));
  }
  lab_netns.insert(netns_link(h.pid));
  EXPECT_EQ(sleeps, kNodes);
  EXPECT_GE(lab.size(), static_cast<size_t>(kNodes + 1));  // PID 1 of the lab + nodes
  EXPECT_FALSE(lab_netns.count(host_netns)) << "a lab process shares the host's network namespace";
  EXPECT_EQ(lab_netns.size(), static_cast<size_t>(kNodes + 1));  // control + one per host
  // The lab's interfaces are not visible on the host while it runs either.
  EXPECT_EQ(host_state(), before);

  ASSERT_EQ(kill(h.pid, SIGKILL), 0);
  int st = wait_status(h.pid, 5000ms);
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
  close(h.out);

  // Everything started inside dies; reap what is handed back to us.
  auto end = std::chrono::steady_clock::now() + 5000ms;
  auto any_alive = [&] {
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    return std::any_of(lab.begin(), lab.end(), alive);
  };
  while (any_alive() && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(10ms);
  for (pid_t p : lab) EXPECT_FALSE(alive(p)) << "pid " << p << " (" << comm(p) << ") survived";

  // No process is left in any lab network namespace: the kernel freed them.
  for (const auto& name : dir_names("/proc")) {
    if (!std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    EXPECT_FALSE(lab_netns.count(netns_link(std::stoi(name)))) << "pid " << name << " is inside the lab";
  }
  const HostState after = host_state();
  EXPECT_EQ(after.sys_class_net, before.sys_class_net);
  EXPECT_EQ(after.links, before.links);
  EXPECT_EQ(after.netns, before.netns);
  EXPECT_EQ(after.mounts, before.mounts);
  prctl(PR_SET_CHILD_SUBREAPER, 0);
}

TEST(ClusterLab, SigkillOfOuterParentLeavesNothing) { sigkill_leaves_nothing(""); }

TEST(ClusterLab, SigkillLeavesNothingUnprivileged) {
  if (geteuid() != 0) GTEST_SKIP() << "already unprivileged: the other test covers it";
  std::ifstream in("/proc/sys/user/max_user_namespaces");
  long max = 0;
  in >> max;
  if (max == 0 || access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "no user namespaces or no setpriv";
  sigkill_leaves_nothing("65534");
}

TEST(ClusterLab, HelperIsPidOneInside) {
  Helper h = spawn({"whoami"});
  EXPECT_EQ(read_line(h.out, 10000ms), "pid=1 inside=1");
  EXPECT_EQ(exit_code(wait_status(h.pid, 10000ms)), 0);
  close(h.out);
}

TEST(ClusterLab, ExitStatusPropagates) {
  Helper h = spawn({"exit", "7"});
  EXPECT_EQ(exit_code(wait_status(h.pid, 10000ms)), 7);
  close(h.out);
}

TEST(ClusterLab, ChildKilledBySignalGives128PlusN) {
  Helper h = spawn({"segv"});
  EXPECT_EQ(exit_code(wait_status(h.pid, 10000ms)), 128 + SIGSEGV);
  close(h.out);
}

TEST(ClusterLab, RefusesWhenThreadsExist) {
  Helper h = spawn({"thread"});
  EXPECT_EQ(exit_code(wait_status(h.pid, 10000ms)), 4);
  close(h.out);
}

TEST(ClusterLab, SigtermIsForwarded) {
  Helper h = spawn({"wait"});
  ASSERT_EQ(read_line(h.out, 10000ms), "ready");
  kill(h.pid, SIGTERM);
  EXPECT_EQ(exit_code(wait_status(h.pid, 10000ms)), 128 + SIGTERM);
  close(h.out);
}

}  // namespace
