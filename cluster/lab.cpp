#include "cluster/lab.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "core/errors.hpp"

namespace eclat::lab {
namespace {

bool g_inside = false;
volatile sig_atomic_t g_child = 0;

[[noreturn]] void fail(const std::string& what, int err) {
  throw HarnessError("lab: " + what + ": " + std::strerror(err));
}

void write_file(const char* path, const std::string& text) {
  int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail(std::string("open ") + path, errno);
  ssize_t n = ::write(fd, text.data(), text.size());
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size())) fail(std::string("write ") + path, n < 0 ? err : EIO);
}

// The outer parent: pass the polite signals on to PID 1 of the lab. Signals
// from the terminal (Ctrl-C: si_code SI_KERNEL) reach the child directly, as
// it shares the foreground process group: forwarding them would deliver them
// twice.
void forward(int sig, siginfo_t* info, void*) {
  if (info && info->si_code == SI_KERNEL) return;
  if (g_child > 0) ::kill(g_child, sig);
}

int thread_count() {
  FILE* f = std::fopen("/proc/self/status", "re");
  if (!f) return -1;
  char line[256];
  int n = -1;
  while (std::fgets(line, sizeof line, f))
    if (std::sscanf(line, "Threads: %d", &n) == 1) break;
  std::fclose(f);
  return n;
}

// PID 1 of a pid namespace ignores every signal it has no handler for (except
// SIGKILL/SIGSTOP from an ancestor namespace), so the child keeps the default
// meaning of the polite signals explicitly: end with 128+N. Programs may
// install their own handlers after enter() returns.
void child_default_exit(int sig) { ::_exit(128 + sig); }

const int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};  // USR*: if the child handles them

[[noreturn]] void run_outer_parent(pid_t child, int ready_w, const sigset_t& unblocked) {
  struct sigaction sa {};
  sa.sa_sigaction = forward;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART | SA_SIGINFO;
  for (int s : kForwarded) ::sigaction(s, &sa, nullptr);
  // Signals that arrived since fork were held back; now they are forwarded.
  ::sigprocmask(SIG_SETMASK, &unblocked, nullptr);
  // The child may have died between fork and here; forward() covers the rest.
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(child, &status, 0);
    if (r == child) break;
    if (r < 0 && errno != EINTR) {
      std::fprintf(stderr, "lab: waitpid: %s\n", std::strerror(errno));
      ::_exit(4);
    }
  }
  (void)ready_w;
  std::fflush(stdout);
  std::fflush(stderr);
  if (WIFEXITED(status)) ::_exit(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) ::_exit(128 + WTERMSIG(status));
  ::_exit(4);
}

void setup_child(int alive_r) {
  // Die with the outer parent, even when it is killed with SIGKILL.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail("prctl(PR_SET_PDEATHSIG)", errno);
  // The parent may have died before prctl: it holds the write end of a pipe,
  // so a hang-up here means it is gone already.
  struct pollfd p {alive_r, POLLIN, 0};
  if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLIN))) ::_exit(128 + SIGKILL);
  ::close(alive_r);

  struct sigaction sa {};
  sa.sa_handler = child_default_exit;
  sigemptyset(&sa.sa_mask);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) ::sigaction(s, &sa, nullptr);

  // A fresh /proc that shows this pid namespace (and /proc/thread-self for
  // the namespace handles of the network code).
  if (::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
    fail("mount /proc", errno);
}

// What stops an ordinary user from creating a user namespace, as far as the
// usual switches tell: named in the error so the user knows what to change.
std::string userns_hint() {
  auto read = [](const char* path) {
    std::ifstream in(path);
    std::string v;
    in >> v;
    return v;
  };
  std::string hint;
  if (read("/proc/sys/kernel/unprivileged_userns_clone") == "0")
    hint += "; kernel.unprivileged_userns_clone is 0 (sysctl -w kernel.unprivileged_userns_clone=1)";
  if (read("/proc/sys/user/max_user_namespaces") == "0")
    hint += "; user.max_user_namespaces is 0 (sysctl -w user.max_user_namespaces=10000)";
  if (read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == "1")
    hint += "; AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1)";
  if (hint.empty()) hint = "; unprivileged user namespaces seem not allowed on this kernel";
  return " (not root: Éclat needs unprivileged user namespaces, or run it as root" + hint + ")";
}

}  // namespace

void enter() {
  if (g_inside) return;
  if (int n = thread_count(); n > 1)
    throw HarnessError("lab: enter() must run before any thread starts (" + std::to_string(n) +
                       " threads now): unshare(CLONE_NEWNS) fails in a threaded process");
  const uid_t uid = ::geteuid();
  const gid_t gid = ::getegid();
  int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET;
  if (uid != 0) flags |= CLONE_NEWUSER;
  if (::unshare(flags) != 0) {
    fail(std::string("unshare(") + (uid != 0 ? "CLONE_NEWUSER|" : "") +
             "CLONE_NEWNS|CLONE_NEWPID|CLONE_NEWNET)" +
             (uid != 0 ? userns_hint() : ""),
         errno);
  }
  if (uid != 0) {
    // Map the caller to root inside the user namespace (one id each).
    write_file("/proc/self/setgroups", "deny");
    write_file("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1");
    write_file("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1");
  }
  // Nothing mounted in the lab propagates back to the host.
  if (::mount("none", "/", "none", MS_REC | MS_PRIVATE, nullptr) != 0)
    fail("mount(/, MS_REC|MS_PRIVATE)", errno);

  int alive[2];
  if (::pipe2(alive, O_CLOEXEC) != 0) fail("pipe2", errno);
  std::fflush(stdout);
  std::fflush(stderr);
  // The polite signals stay blocked across fork until each side has its
  // handlers: otherwise a SIGTERM that reaches the outer parent before it
  // installed the forwarder (the lab may already be running and talking)
  // would kill it with the default action instead of ending the lab.
  sigset_t polite, before;
  sigemptyset(&polite);
  for (int s : kForwarded) sigaddset(&polite, s);
  ::sigprocmask(SIG_BLOCK, &polite, &before);
  pid_t child = ::fork();
  if (child < 0) {
    int err = errno;
    ::sigprocmask(SIG_SETMASK, &before, nullptr);
    fail("fork", err);
  }
  if (child > 0) {
    ::close(alive[0]);
    g_child = child;
    run_outer_parent(child, alive[1], before);  // never returns; keeps alive[1] open
  }
  ::close(alive[1]);
  setup_child(alive[0]);
  ::sigprocmask(SIG_SETMASK, &before, nullptr);
  g_inside = true;
}

bool inside() { return g_inside; }

}  // namespace eclat::lab
