#include "checker/report_ops.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <thread>
#include <unordered_map>

extern char** environ;

namespace eclat::report {

const char* to_string(Outcome o) {
  switch (o) {
    case Outcome::ok: return "ok";
    case Outcome::fail: return "fail";
    case Outcome::info: return "info";
    case Outcome::pending: return "pending";
  }
  return "pending";
}

int64_t history_end(const History& h) {
  int64_t end = 0;
  for (const Op& op : h) end = std::max(end, op.time);
  return end;
}

std::vector<Span> pair_operations(const History& h, bool include_nemesis) {
  const int64_t end = history_end(h);
  std::vector<Span> spans;
  spans.reserve(h.size() / 2 + 1);
  std::unordered_map<int64_t, size_t> open;  // process -> its pending span
  // The nemesis is one process with several threads (the interval schedule,
  // the triggers) and single info events (migration phases): its operations
  // pair by name, an invocation with the next completion of the same f.
  std::unordered_map<std::string, size_t> nemesis_open;
  for (size_t i = 0; i < h.size(); ++i) {
    const Op& op = h[i];
    if (op.is_nemesis() && !include_nemesis) continue;
    if (op.type == OpType::invoke) {
      // A second invocation without completion leaves the first pending.
      Span s;
      s.invoke = i;
      s.process = op.process;
      s.start = op.time;
      s.end = end;
      if (op.is_nemesis())
        nemesis_open[op.f] = spans.size();
      else
        open[op.process] = spans.size();
      spans.push_back(s);
      continue;
    }
    Outcome o = op.type == OpType::ok ? Outcome::ok : op.type == OpType::fail ? Outcome::fail : Outcome::info;
    size_t pending = Span::npos;
    if (op.is_nemesis()) {
      if (auto it = nemesis_open.find(op.f); it != nemesis_open.end()) {
        pending = it->second;
        nemesis_open.erase(it);
      }
    } else if (auto it = open.find(op.process); it != open.end()) {
      pending = it->second;
      open.erase(it);
    }
    if (pending == Span::npos) {
      Span s;  // a completion nobody invoked: shown, not dropped
      s.complete = i;
      s.process = op.process;
      s.start = s.end = op.time;
      s.outcome = o;
      spans.push_back(s);
      continue;
    }
    Span& s = spans[pending];
    s.complete = i;
    s.end = std::max(op.time, s.start);
    s.outcome = o;
  }
  // Spans are created at their invocation (or orphan completion), so they are
  // already in the order of their start in the history.
  return spans;
}

std::string fault_label(const std::string& fault, const nlohmann::json& value, const std::string& error) {
  std::string label = fault;
  if (value.is_object()) {
    if (value.contains("isolated") && value["isolated"].is_string()) {
      label += " " + value["isolated"].get<std::string>() + " isolated";
    } else if (value.contains("nodes") && value["nodes"].is_array()) {
      std::string nodes;
      for (const auto& n : value["nodes"]) nodes += (nodes.empty() ? "" : ",") + (n.is_string() ? n.get<std::string>() : n.dump());
      if (!nodes.empty()) label += " " + nodes;
    } else if (value.contains("node") && value["node"].is_string()) {
      label += " " + value["node"].get<std::string>();
    } else if (value.contains("offsets_ms") && value["offsets_ms"].is_object()) {
      std::string nodes;  // clock faults: which clocks moved
      for (const auto& [n, _] : value["offsets_ms"].items()) nodes += (nodes.empty() ? "" : ",") + n;
      if (!nodes.empty()) label += " " + nodes;
    }
  }
  if (!error.empty()) label += " (failed)";
  return label;
}

std::vector<FaultInterval> fault_intervals(const History& h) {
  const int64_t end = history_end(h);
  std::vector<FaultInterval> out;
  std::map<std::string, std::vector<size_t>> open;  // fault -> open intervals, oldest first
  for (const Span& s : pair_operations(h, true)) {
    if (s.process != kNemesisProcess) continue;
    const Op& op = s.complete != Span::npos ? h[s.complete] : h[s.invoke];
    const std::string& f = op.f;
    auto starts = [&](const char* prefix) { return f.rfind(prefix, 0) == 0; };
    if (starts("start-")) {
      FaultInterval fi;
      fi.fault = f.substr(6);
      fi.start = s.start;
      fi.end = end;
      fi.open = true;
      fi.start_op = s.complete != Span::npos ? s.complete : s.invoke;
      fi.label = fault_label(fi.fault, s.complete != Span::npos ? op.value : nlohmann::json(), op.error);
      open[fi.fault].push_back(out.size());
      out.push_back(fi);
    } else if (starts("stop-") || starts("heal-")) {
      std::string fault = f.substr(5);
      auto it = open.find(fault);
      if (it == open.end() || it->second.empty()) continue;  // a heal with nothing active
      // The fault is undone once the stop completed; a stop still pending at
      // the end of the history leaves the interval open.
      FaultInterval& fi = out[it->second.front()];
      it->second.erase(it->second.begin());
      fi.end = s.end;
      fi.open = s.complete == Span::npos;
    }
  }
  return out;
}

bool in_path(const std::string& program) {
  if (program.find('/') != std::string::npos) return access(program.c_str(), X_OK) == 0;
  const char* path = getenv("PATH");
  if (!path) return false;
  std::string p = path;
  size_t from = 0;
  while (from <= p.size()) {
    size_t to = p.find(':', from);
    if (to == std::string::npos) to = p.size();
    std::string dir = p.substr(from, to - from);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + program;
    struct stat st {};
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(candidate.c_str(), X_OK) == 0) return true;
    from = to + 1;
  }
  return false;
}

std::string file_tail(const std::filesystem::path& p, size_t max_bytes) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return "";
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (s.size() > max_bytes) s = "..." + s.substr(s.size() - max_bytes);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

ChildResult run_child(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                      const std::filesystem::path& output, const std::filesystem::path& cwd) {
  ChildResult r;
  const auto t0 = std::chrono::steady_clock::now();
  if (argv.empty()) {
    r.error = "no program";
    return r;
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so that a timeout ends everything it started (a
  // browser forks helpers); default signal handling and no blocked signals,
  // whatever the control process set for itself.
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, args[0], &fa, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    r.error = std::string("cannot run ") + argv[0] + ": " + strerror(rc);
    return r;
  }
  r.started = true;
  const auto deadline = t0 + timeout;
  auto pause = std::chrono::milliseconds(1);
  int status = 0;
  for (;;) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) {
      r.error = std::string("waitpid: ") + strerror(errno);
      kill(-pid, SIGKILL);
      return r;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      r.timed_out = true;
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (r.timed_out) {
    char secs[32];
    snprintf(secs, sizeof secs, "%g", timeout.count() / 1000.0);
    r.error = argv[0] + " did not finish within " + secs + " s";
  } else if (WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
    if (r.exit_code != 0) r.error = argv[0] + " exited with " + std::to_string(r.exit_code);
  } else if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
    r.error = argv[0] + " killed by signal " + std::to_string(r.signal);
  }
  return r;
}

std::string markup_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace eclat::report
