// Node processes started inside their host: namespace, logs, signals, reaping.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cluster/network.hpp"
#include "cluster/process.hpp"
#include "core/errors.hpp"

namespace eclat {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("eclat-cluster-test-" + std::to_string(getpid()) + "-" + name);
  fs::remove_all(d);
  return d;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

char proc_state(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string s;
  std::getline(in, s);
  auto r = s.rfind(')');
  return (r == std::string::npos || r + 2 >= s.size()) ? '\0' : s[r + 2];
}

bool proc_exists(pid_t pid) { return fs::exists("/proc/" + std::to_string(pid)); }

template <class F>
bool eventually(F f, std::chrono::milliseconds limit = 3000ms) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return f();
}

ino_t netns_inode_of(pid_t pid) {
  struct stat st {};
  if (stat(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), &st) != 0) return 0;
  return st.st_ino;
}

class ClusterProcess : public ::testing::Test {
 protected:
  Network net;
  const Host& n1 = net.add_host("n1", 1);
};

TEST_F(ClusterProcess, RunsInItsHostWithItsLogs) {
  ProcessSpec spec;
  spec.name = "n1";
  spec.exe = "/bin/sh";
  spec.args = {"-c", "for i in 1 2 3 4 5; do echo out$i; done; echo err1 >&2; echo err2 >&2; exec sleep 1000"};
  spec.netns_fd = n1.netns_fd;
  spec.log_dir = fresh_dir("logs");
  NodeProcess p(spec);
  EXPECT_EQ(p.pid(), 0);
  EXPECT_FALSE(p.running());
  p.start();
  const pid_t pid = p.pid();
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(p.running());
  EXPECT_EQ(p.starts(), 1);
  EXPECT_THROW(p.start(), HarnessError);  // already running

  // In the host's network namespace.
  struct stat host_ns {};
  ASSERT_EQ(fstat(n1.netns_fd, &host_ns), 0);
  EXPECT_TRUE(eventually([&] { return netns_inode_of(pid) == host_ns.st_ino; }));

  // Output appended to the log files.
  EXPECT_TRUE(eventually([&] { return slurp(spec.log_dir / "stdout.log") == "out1\nout2\nout3\nout4\nout5\n"; }))
      << slurp(spec.log_dir / "stdout.log");
  // stderr.log begins with the harness's marker of the start, on the run's
  // time base (eclat log places the node's own lines by it).
  const std::string started = std::string(kNodeLogMarker) + " run ";
  EXPECT_TRUE(eventually([&] {
    const std::string err = slurp(spec.log_dir / "stderr.log");
    return err.rfind(started, 0) == 0 &&
           err.find("): starting (start #1)\nerr1\nerr2\n") != std::string::npos;
  })) << slurp(spec.log_dir / "stderr.log");
  EXPECT_EQ(p.log_tail(2), "err1\nerr2\nout4\nout5\n");
  EXPECT_EQ(p.log_tail(1), "err2\nout5\n");

  // pause / resume
  EXPECT_TRUE(eventually([&] { return proc_state(pid) == 'S'; }));  // sleep exec'd
  p.pause();
  EXPECT_TRUE(p.paused());
  EXPECT_TRUE(eventually([&] { return proc_state(pid) == 'T'; })) << proc_state(pid);
  p.resume();
  EXPECT_FALSE(p.paused());
  EXPECT_TRUE(eventually([&] { return proc_state(pid) == 'S'; })) << proc_state(pid);

  // kill: gone and reaped (no zombie left)
  p.pause();
  p.kill();
  EXPECT_EQ(p.pid(), 0);
  // Each thing done to it is marked in its log, in order.
  {
    const std::string err = slurp(spec.log_dir / "stderr.log");
    size_t at = 0;
    for (const std::string what : {"SIGSTOP to pid ", "SIGCONT to pid ", "SIGSTOP to pid ", "SIGKILL to pid "}) {
      at = err.find(what + std::to_string(pid), at);
      EXPECT_NE(at, std::string::npos) << what << " in\n" << err;
      if (at == std::string::npos) break;
      ++at;
    }
  }
  EXPECT_FALSE(p.running());
  EXPECT_FALSE(proc_exists(pid));
  EXPECT_TRUE(WIFSIGNALED(p.last_status()) && WTERMSIG(p.last_status()) == SIGKILL);

  // restart: a new pid, logs appended
  p.restart();
  EXPECT_GT(p.pid(), 0);
  EXPECT_NE(p.pid(), pid);
  EXPECT_EQ(p.starts(), 2);
  EXPECT_TRUE(eventually([&] { return slurp(spec.log_dir / "stdout.log").size() == 2 * 25; }));
  const pid_t pid2 = p.pid();
  p.restart();  // kills the running one first
  EXPECT_NE(p.pid(), pid2);
  EXPECT_FALSE(proc_exists(pid2));
  EXPECT_EQ(p.starts(), 3);
}

TEST_F(ClusterProcess, CleanEnvironment) {
  setenv("http_proxy", "http://proxy.invalid:3128", 1);
  setenv("HTTPS_PROXY", "http://proxy.invalid:3128", 1);
  ProcessSpec spec;
  spec.name = "env";
  spec.exe = "/usr/bin/env";
  spec.netns_fd = n1.netns_fd;
  spec.log_dir = fresh_dir("env");
  spec.env = {{"FOO", "bar"}, {"NODE_ID", "n1"}};
  NodeProcess p(spec);
  p.start();
  EXPECT_TRUE(eventually([&] { return !p.running(); }));
  EXPECT_TRUE(WIFEXITED(p.last_status()) && WEXITSTATUS(p.last_status()) == 0);
  std::string out = slurp(spec.log_dir / "stdout.log");
  std::string path = getenv("PATH") ? getenv("PATH") : "";
  // What the spec asks for, and the run mark eclat cleanup knows a run's processes by.
  EXPECT_EQ(out, "PATH=" + path + "\nFOO=bar\nNODE_ID=n1\nECLAT_RUN=pid " + std::to_string(getpid()) + "\n");
  unsetenv("http_proxy");
  unsetenv("HTTPS_PROXY");
}

TEST_F(ClusterProcess, StopWithGraceEndsBySigkillWhenTermIgnored) {
  ProcessSpec spec;
  spec.name = "stubborn";
  spec.exe = "/bin/sh";
  spec.args = {"-c", "trap '' TERM; echo ready; sleep 1000"};
  spec.netns_fd = n1.netns_fd;
  spec.log_dir = fresh_dir("stubborn");
  NodeProcess p(spec);
  p.start();
  const pid_t pid = p.pid();
  ASSERT_TRUE(eventually([&] { return slurp(spec.log_dir / "stdout.log") == "ready\n"; }));
  auto t0 = std::chrono::steady_clock::now();
  p.stop(400ms);
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, 400ms);
  EXPECT_LT(took, 3000ms);
  EXPECT_FALSE(p.running());
  EXPECT_FALSE(proc_exists(pid));
  EXPECT_TRUE(WIFSIGNALED(p.last_status()) && WTERMSIG(p.last_status()) == SIGKILL) << p.last_status();
}

TEST_F(ClusterProcess, StopEndsQuicklyOnSigterm) {
  ProcessSpec spec;
  spec.name = "polite";
  spec.exe = "sleep";  // found through PATH
  spec.args = {"1000"};
  spec.netns_fd = n1.netns_fd;
  spec.log_dir = fresh_dir("polite");
  NodeProcess p(spec);
  p.start();
  p.pause();  // a paused process still gets the SIGTERM
  auto t0 = std::chrono::steady_clock::now();
  p.stop(5000ms);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2000ms);
  EXPECT_TRUE(WIFSIGNALED(p.last_status()) && WTERMSIG(p.last_status()) == SIGTERM) << p.last_status();
}

TEST_F(ClusterProcess, KillReachesTheWholeProcessGroup) {
  ProcessSpec spec;
  spec.name = "parent";
  spec.exe = "/bin/sh";
  spec.args = {"-c", "sleep 1000 & echo $! > child.pid; wait"};
  spec.netns_fd = n1.netns_fd;
  spec.log_dir = fresh_dir("group");
  // The script writes child.pid relative to its working directory: use an
  // absolute path instead.
  spec.args[1] = "sleep 1000 & echo $! > " + (spec.log_dir / "child.pid").string() + "; wait";
  NodeProcess p(spec);
  p.start();
  pid_t child = 0;
  ASSERT_TRUE(eventually([&] {
    std::string s = slurp(spec.log_dir / "child.pid");
    child = s.empty() ? 0 : std::atoi(s.c_str());
    return child > 0;
  }));
  EXPECT_TRUE(proc_exists(child));
  p.kill();
  // The orphaned child was killed too (left at most as a zombie of PID 1).
  EXPECT_TRUE(eventually([&] { return !proc_exists(child) || proc_state(child) == 'Z'; }));
}

TEST_F(ClusterProcess, ControlNamespaceWhenNoHost) {
  ProcessSpec spec;
  spec.name = "ctl";
  spec.exe = "/bin/sleep";
  spec.args = {"1000"};
  spec.log_dir = fresh_dir("ctl");
  NodeProcess p(spec);
  p.start();
  struct stat self {};
  ASSERT_EQ(stat("/proc/self/ns/net", &self), 0);
  EXPECT_EQ(netns_inode_of(p.pid()), self.st_ino);
}

TEST_F(ClusterProcess, DestructorKills) {
  ProcessSpec spec;
  spec.name = "short";
  spec.exe = "/bin/sleep";
  spec.args = {"1000"};
  spec.netns_fd = n1.netns_fd;
  spec.log_dir = fresh_dir("dtor");
  pid_t pid = 0;
  {
    NodeProcess p(spec);
    p.start();
    pid = p.pid();
    EXPECT_TRUE(proc_exists(pid));
  }
  EXPECT_FALSE(proc_exists(pid));
}

TEST_F(ClusterProcess, StartFailuresAreHarnessErrors) {
  ProcessSpec spec;
  spec.name = "ghost";
  spec.exe = "/nonexistent/binary";
  spec.log_dir = fresh_dir("ghost");
  NodeProcess p(spec);
  EXPECT_THROW(p.start(), HarnessError);
  EXPECT_EQ(p.pid(), 0);
  EXPECT_EQ(p.starts(), 0);
  spec.exe = "/bin/true";
  spec.netns_fd = 9999;  // not a namespace: setns fails in the child
  NodeProcess q(spec);
  EXPECT_THROW(q.start(), HarnessError);
  EXPECT_EQ(q.pid(), 0);
}

TEST_F(ClusterProcess, ExitIsNoticedAndLogTailOfMissingLogsIsEmpty) {
  ProcessSpec spec;
  spec.name = "quick";
  spec.exe = "/bin/sh";
  spec.args = {"-c", "exit 3"};
  spec.netns_fd = n1.netns_fd;
  spec.log_dir = fresh_dir("quick");
  NodeProcess p(spec);
  EXPECT_EQ(p.log_tail(10), "");
  p.start();
  EXPECT_TRUE(eventually([&] { return !p.running(); }));
  EXPECT_EQ(p.pid(), 0);
  EXPECT_TRUE(WIFEXITED(p.last_status()) && WEXITSTATUS(p.last_status()) == 3);
  p.kill();  // no-op
  p.stop(100ms);
}

}  // namespace
}  // namespace eclat
