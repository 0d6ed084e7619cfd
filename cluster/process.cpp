#include "cluster/process.hpp"

// Boost 1.81's Process v2 headers need these first with BOOST_PROCESS_USE_STD_FS.
#include <boost/optional.hpp>
#include <boost/type_traits.hpp>
// clang-format off
#include <boost/asio/io_context.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/default_launcher.hpp>
// clang-format on

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/run_clock.hpp"

namespace bp = boost::process::v2;

namespace eclat {
namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
// Upper bound for reaping after SIGKILL: a process stuck in the kernel (D
// state) must not hang the harness.
constexpr std::chrono::milliseconds kReapTimeout{10000};

// The launcher hooks: runs in the forked child before exec.
struct NodeLaunch {
  int netns_fd = -1;
  int in_fd = -1, out_fd = -1, err_fd = -1;
  const char* const* envp = nullptr;

  bp::error_code on_setup(bp::posix::default_launcher& launcher, const bp::filesystem::path&,
                          const char* const*) {
    launcher.env = envp;
    return {};
  }

  bp::error_code on_exec_setup(bp::posix::default_launcher&, const bp::filesystem::path&,
                               const char* const*) {
    if (netns_fd >= 0 && ::setns(netns_fd, CLONE_NEWNET) != 0)
      return bp::error_code(errno, bp::system_category());
    // Its own process group: signals reach the node and whatever it spawned.
    if (::setpgid(0, 0) != 0) return bp::error_code(errno, bp::system_category());
    if (::dup2(in_fd, STDIN_FILENO) < 0 || ::dup2(out_fd, STDOUT_FILENO) < 0 ||
        ::dup2(err_fd, STDERR_FILENO) < 0)
      return bp::error_code(errno, bp::system_category());
    // Ignored signals and the mask survive exec: give the node a clean slate.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int s = 1; s < NSIG; ++s)
      if (s != SIGKILL && s != SIGSTOP) ::signal(s, SIG_DFL);
    return {};
  }

  // Boost reported errno through its pipe already; do not run the parent's
  // atexit handlers in this forked copy.
  void on_exec_error(bp::posix::default_launcher&, const bp::filesystem::path&, const char* const*,
                     const bp::error_code&) {
    ::_exit(127);
  }
};

int open_log(const std::filesystem::path& p) {
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw HarnessError("open " + p.string() + ": " + std::strerror(errno));
  return fd;
}

// The last `lines` lines of a file ("" when missing).
std::string tail_file(const std::filesystem::path& p, size_t lines) {
  if (lines == 0) return "";
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  struct stat st {};
  ::fstat(fd, &st);
  off_t end = st.st_size;
  std::string buf;
  constexpr off_t kChunk = 64 * 1024;
  off_t pos = end;
  size_t newlines = 0;
  while (pos > 0) {
    off_t n = std::min(kChunk, pos);
    pos -= n;
    std::string chunk(static_cast<size_t>(n), '\0');
    ssize_t got = ::pread(fd, chunk.data(), chunk.size(), pos);
    if (got <= 0) break;
    chunk.resize(static_cast<size_t>(got));
    buf.insert(0, chunk);
    newlines = static_cast<size_t>(std::count(buf.begin(), buf.end(), '\n'));
    // One more newline than lines, unless the file ends without one.
    if (newlines > lines) break;
  }
  ::close(fd);
  // Drop the trailing newline for counting, keep it in the output.
  size_t stop = buf.size();
  if (stop > 0 && buf[stop - 1] == '\n') --stop;
  size_t start = stop;
  size_t seen = 0;
  while (start > 0) {
    if (buf[start - 1] == '\n' && ++seen == lines) break;
    --start;
  }
  return buf.substr(start);
}

std::filesystem::path resolve(const std::filesystem::path& exe, const std::string& path_var) {
  if (exe.string().find('/') != std::string::npos) return exe;
  size_t b = 0;
  while (b <= path_var.size()) {
    size_t e = path_var.find(':', b);
    if (e == std::string::npos) e = path_var.size();
    std::filesystem::path cand = std::filesystem::path(path_var.substr(b, e - b)) / exe;
    if (::access(cand.c_str(), X_OK) == 0) return cand;
    b = e + 1;
  }
  return exe;
}

std::mutex marker_mu;
std::string& marker() {
  static std::string m = "pid " + std::to_string(::getpid());
  return m;
}

std::string run_marker() {
  std::lock_guard lock(marker_mu);
  return marker();
}

}  // namespace

void set_run_marker(const std::string& run) {
  std::lock_guard lock(marker_mu);
  marker() = run;
}

struct NodeProcess::Impl {
  ProcessSpec spec;
  mutable std::mutex mu;
  pid_t pid = 0;
  int pidfd = -1;
  bool paused = false;
  int starts = 0;
  int last_status = -1;
  std::vector<pid_t> unreaped;  // gave up waiting on these; retried later

  void forget() {
    if (pidfd >= 0) ::close(pidfd);
    pidfd = -1;
    pid = 0;
    paused = false;
  }

  void retry_unreaped() {
    for (auto it = unreaped.begin(); it != unreaped.end();) {
      int st = 0;
      pid_t r = ::waitpid(*it, &st, WNOHANG);
      it = (r == *it || (r < 0 && errno == ECHILD)) ? unreaped.erase(it) : std::next(it);
    }
  }

  // Non-blocking: true when the process ended (reaped here).
  bool try_reap() {
    if (pid == 0) return true;
    int st = 0;
    pid_t r = ::waitpid(pid, &st, WNOHANG);
    if (r == pid) {
      last_status = st;
      log_end();
      forget();
      return true;
    }
    if (r < 0 && errno == ECHILD) {  // someone else reaped it
      forget();
      return true;
    }
    return false;
  }

  void log_end() {
    if (WIFEXITED(last_status))
      ECLAT_LOG(debug, "process") << spec.name << " (pid " << pid << ") exited with "
                                  << WEXITSTATUS(last_status);
    else if (WIFSIGNALED(last_status))
      ECLAT_LOG(debug, "process") << spec.name << " (pid " << pid << ") killed by signal "
                                  << WTERMSIG(last_status);
  }

  // Waits up to `timeout` for the process to end; true when reaped.
  bool wait_for(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (try_reap()) return true;
      // Rounded up: a truncated 0.9 ms would give up before the grace is over.
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      if (pidfd >= 0) {
        struct pollfd p {pidfd, POLLIN, 0};
        ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
      } else {
        std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(5)));
      }
    }
  }

  void signal(int sig) {
    if (pid == 0) return;
    // The whole process group (the node set it up before exec), then the
    // node itself in case it left the group.
    ::kill(-pid, sig);
    ::kill(pid, sig);
  }

  // A line in the node's own stderr.log saying what the harness did to it,
  // on the run's time base: node logs count from each (re)start, so these
  // markers are what `eclat log` places them by.
  void mark(const std::string& what) const {
    const double t = run_clock::seconds();
    char line[256];
    const int n = snprintf(line, sizeof line, "%s run %.3f s (%s): %s\n", kNodeLogMarker, t, run_clock::utc(t).c_str(),
                           what.c_str());
    const int fd = ::open((spec.log_dir / "stderr.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return;  // a node without its log directory yet: nothing to mark
    if (n > 0) (void)!::write(fd, line, std::min<size_t>(static_cast<size_t>(n), sizeof line - 1));
    ::close(fd);
  }

  void kill_locked() {
    if (pid == 0) return;
    if (try_reap()) return;
    mark("SIGKILL to pid " + std::to_string(pid));
    if (paused) signal(SIGCONT);
    signal(SIGKILL);
    if (!wait_for(kReapTimeout)) {
      ECLAT_LOG(error, "process") << spec.name << " (pid " << pid << ") did not end "
                                  << kReapTimeout.count() << " ms after SIGKILL; not waiting longer";
      unreaped.push_back(pid);
      forget();
    }
  }

  void start_locked() {
    retry_unreaped();
    if (pid != 0 && !try_reap())
      throw HarnessError("process " + spec.name + " is already running (pid " + std::to_string(pid) + ")");

    std::error_code fec;
    std::filesystem::create_directories(spec.log_dir, fec);
    if (fec) throw HarnessError("process " + spec.name + ": cannot create " + spec.log_dir.string() + ": " + fec.message());

    // A clean environment: PATH and what the spec asks for, nothing else (no
    // proxy settings leak into the lab).
    std::string path = kDefaultPath;
    if (const char* p = std::getenv("PATH"); p && *p) path = p;
    std::vector<std::string> env_strings;
    bool spec_path = false;
    for (const auto& [k, v] : spec.env) {
      if (k == "PATH") {
        spec_path = true;
        path = v;
      }
      env_strings.push_back(k + "=" + v);
    }
    if (!spec_path) env_strings.insert(env_strings.begin(), "PATH=" + path);
    env_strings.push_back(std::string(kRunMarkerVariable) + "=" + run_marker());
    if (!spec.clock_file.empty()) {
      if (!std::filesystem::exists(spec.clock_file)) {
        std::ofstream(spec.clock_file) << "+0\n";
      }
      env_strings.push_back(std::string("LD_PRELOAD=") + ECLAT_LIBFAKETIME);
      env_strings.push_back("FAKETIME_TIMESTAMP_FILE=" + spec.clock_file.string());
      env_strings.push_back("FAKETIME_NO_CACHE=1");  // an offset written now holds at once
      env_strings.push_back("FAKETIME_DONT_FAKE_MONOTONIC=1");
    }
    std::vector<const char*> envp;
    for (const auto& s : env_strings) envp.push_back(s.c_str());
    envp.push_back(nullptr);

    const std::filesystem::path exe = resolve(spec.exe, path);
    if (::access(exe.c_str(), X_OK) != 0)
      throw HarnessError("process " + spec.name + ": cannot execute " + exe.string() + ": " + std::strerror(errno));

    NodeLaunch init;
    init.netns_fd = spec.netns_fd;
    init.envp = envp.data();
    init.in_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (init.in_fd < 0) throw HarnessError(std::string("open /dev/null: ") + std::strerror(errno));
    struct Fds {
      NodeLaunch& i;
      ~Fds() {
        for (int fd : {i.in_fd, i.out_fd, i.err_fd})
          if (fd >= 0) ::close(fd);
      }
    } close_fds{init};
    init.out_fd = open_log(spec.log_dir / "stdout.log");
    init.err_fd = open_log(spec.log_dir / "stderr.log");
    // Before the launch, so that it precedes the process's first line and
    // its own count (which starts at its start) follows the marker's time.
    mark("starting (start #" + std::to_string(starts + 1) + ")");

    // A fresh context per start: nothing runs it, the process object is
    // detached at once, and a failed launch cannot spoil the next one.
    boost::asio::io_context ctx;
    bp::posix::default_launcher launcher;
    bp::error_code ec;
    std::optional<bp::process> proc;
    try {
      proc.emplace(launcher(ctx.get_executor(), ec, exe, spec.args, init));
    } catch (const boost::system::system_error& e) {
      // Boost builds its process handle with pidfd_open after the exec
      // succeeded and throws where that syscall is missing (kernels before
      // 5.3, seccomp, valgrind): the node runs all the same, adopt it.
      if (launcher.pid <= 0) throw HarnessError("process " + spec.name + ": " + e.what());
      ECLAT_LOG(debug, "process") << "no pidfd (" << e.code().message() << "): reaping by polling";
    }
    if (ec) {
      // The child wrote its errno and exited: collect it.
      if (launcher.pid > 0) {
        pid = launcher.pid;
        if (!wait_for(std::chrono::milliseconds(2000))) {
          unreaped.push_back(pid);
          forget();
        }
      }
      throw HarnessError("process " + spec.name + ": starting " + exe.string() +
                         (spec.netns_fd >= 0 ? " in its host" : "") + " failed: " + ec.message());
    }
    if (proc) {
      pid = proc->id();
      proc->detach();  // we signal and reap it ourselves
    } else {
      pid = launcher.pid;
    }
    pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));  // -1: poll by sleeping
    paused = false;
    ++starts;
    ECLAT_LOG(debug, "process") << spec.name << " started, pid " << pid << " (start #" << starts << ")";
  }
};

NodeProcess::NodeProcess(ProcessSpec spec) : impl_(std::make_unique<Impl>()) {
  impl_->spec = std::move(spec);
}

NodeProcess::~NodeProcess() {
  std::lock_guard lock(impl_->mu);
  impl_->kill_locked();
  impl_->retry_unreaped();
}

void NodeProcess::start() {
  std::lock_guard lock(impl_->mu);
  impl_->start_locked();
}

void NodeProcess::kill() {
  std::lock_guard lock(impl_->mu);
  impl_->kill_locked();
}

void NodeProcess::stop(std::chrono::milliseconds grace) {
  std::lock_guard lock(impl_->mu);
  if (impl_->pid == 0 || impl_->try_reap()) return;
  impl_->mark("SIGTERM to pid " + std::to_string(impl_->pid));
  impl_->signal(SIGTERM);
  if (impl_->paused) {  // a stopped process handles SIGTERM only once continued
    impl_->signal(SIGCONT);
    impl_->paused = false;
  }
  if (impl_->wait_for(grace)) return;
  ECLAT_LOG(info, "process") << impl_->spec.name << " still running " << grace.count()
                             << " ms after SIGTERM: SIGKILL";
  impl_->kill_locked();
}

void NodeProcess::pause() {
  std::lock_guard lock(impl_->mu);
  if (impl_->pid == 0 || impl_->try_reap()) return;
  impl_->mark("SIGSTOP to pid " + std::to_string(impl_->pid) + " (paused)");
  impl_->signal(SIGSTOP);
  impl_->paused = true;
}

void NodeProcess::resume() {
  std::lock_guard lock(impl_->mu);
  if (impl_->pid == 0 || impl_->try_reap()) return;
  impl_->mark("SIGCONT to pid " + std::to_string(impl_->pid) + " (resumed)");
  impl_->signal(SIGCONT);
  impl_->paused = false;
}

void NodeProcess::restart() {
  std::lock_guard lock(impl_->mu);
  impl_->kill_locked();
  impl_->start_locked();
}

bool NodeProcess::running() {
  std::lock_guard lock(impl_->mu);
  impl_->retry_unreaped();
  return !impl_->try_reap();
}

bool NodeProcess::paused() const {
  std::lock_guard lock(impl_->mu);
  return !impl_->try_reap() && impl_->paused;
}

pid_t NodeProcess::pid() const {
  std::lock_guard lock(impl_->mu);
  impl_->try_reap();  // an exited process has no pid any more
  return impl_->pid;
}

int NodeProcess::starts() const {
  std::lock_guard lock(impl_->mu);
  return impl_->starts;
}

int NodeProcess::last_status() const {
  std::lock_guard lock(impl_->mu);
  return impl_->last_status;
}

std::string NodeProcess::log_tail(size_t lines) const {
  return tail_file(impl_->spec.log_dir / "stderr.log", lines) +
         tail_file(impl_->spec.log_dir / "stdout.log", lines);
}

const ProcessSpec& NodeProcess::spec() const { return impl_->spec; }

}  // namespace eclat
