// What the end-to-end tests share: running the real eclat binary, reading
// what a run wrote, and checking that nothing of it outlived it on the host.
#pragma once
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace e2e {

struct Result {
  int code = -1;
  std::string output;
};

// Runs eclat with args (and environment assignments), stdout and stderr
// captured together.
inline Result eclat(const std::string& args, const std::string& env = "") {
  std::string cmd = env + " " + std::string(ECLAT_BINARY) + " " + args + " 2>&1";
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

// Starts argv[0] with exactly `env` as its environment (plus PATH), in the
// test's own process group; the caller kills and reaps it.
inline pid_t spawn(const std::vector<std::string>& argv, std::vector<std::string> env = {}) {
  env.push_back("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> a, e;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    for (const auto& s : env) e.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    e.push_back(nullptr);
    int devnull = ::open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execve(a[0], a.data(), e.data());
    _exit(127);
  }
  return pid;
}

inline bool alive(pid_t pid) {
  int status = 0;
  return waitpid(pid, &status, WNOHANG) == 0;
}

inline std::set<std::string> host_interfaces() {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator("/sys/class/net")) out.insert(e.path().filename());
  return out;
}

inline std::set<std::string> named_namespaces() {
  std::set<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/run/netns", ec)) out.insert(e.path().filename());
  return out;
}

// Pids of the processes whose name (comm) and command line satisfy `match`.
inline std::vector<int> processes(const std::function<bool(const std::string& name, const std::string& cmdline)>& match) {
  std::vector<int> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::string pid = e.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream comm(e.path() / "comm");
    std::string name;
    std::getline(comm, name);
    std::ifstream in(e.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (match(name, cmdline)) out.push_back(std::stoi(pid));
  }
  return out;
}

inline std::vector<int> miroir_processes() {
  return processes([](const std::string& name, const std::string&) { return name.rfind("miroir-", 0) == 0; });
}

inline fs::path fresh_results_dir(const std::string& tag) {
  auto d = fs::temp_directory_path() / ("eclat-it-" + tag + "-" + std::to_string(getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

inline nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

inline std::vector<nlohmann::json> read_lines(const fs::path& p) {
  std::vector<nlohmann::json> out;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

// Nothing of a run may outlive it on the host.
inline void expect_nothing_left(const std::set<std::string>& ifs_before, const std::set<std::string>& ns_before) {
  // Processes die with the lab's PID 1; give the kernel a moment to reap.
  for (int i = 0; i < 50 && !miroir_processes().empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(miroir_processes().empty()) << "miroir processes outlived the run";
  EXPECT_EQ(host_interfaces(), ifs_before) << "the run left interfaces on the host";
  EXPECT_EQ(named_namespaces(), ns_before) << "the run left network namespaces on the host";
}

}  // namespace e2e
