// A tiny Chrome DevTools Protocol client, enough to open a page in headless
// Chromium and evaluate expressions in it. Over --remote-debugging-pipe the
// browser reads JSON messages, each ended by '\0', on its fd 3 and writes
// its own on fd 4: no port, no WebSocket, nothing another test can reach.
#pragma once
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace report_test {

class Browser {
 public:
  // Starts `chromium --headless=new` in its own process group; throws
  // std::runtime_error when it cannot. Its stderr goes to profile/stderr.
  explicit Browser(const std::filesystem::path& profile, int width = 1200, int height = 800) {
    std::filesystem::create_directories(profile);
    signal(SIGPIPE, SIG_IGN);  // a browser that died is an error from write(), not the end of the test
    int to[2], from[2];
    if (pipe2(to, O_CLOEXEC) != 0 || pipe2(from, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> args = {"chromium", "--headless=new", "--remote-debugging-pipe", "--no-sandbox",
                                      "--disable-gpu", "--no-first-run", "--disable-breakpad", "--disable-crash-reporter", "--disable-background-networking",
                                      "--disable-component-update", "--disable-sync", "--disable-quic",
                                      "--user-data-dir=" + profile.string(),
                                      "--window-size=" + std::to_string(width) + "," + std::to_string(height),
                                      "about:blank"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string err = (profile / "stderr").string();
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {  // only async-signal-safe calls until exec
      setpgid(0, 0);
      int in = fcntl(to[0], F_DUPFD, 10), out = fcntl(from[1], F_DUPFD, 10);  // above 4: dup2 onto 3 and 4 cannot clobber them
      dup2(in, 3), dup2(out, 4);
      int null = ::open("/dev/null", O_RDWR), log = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(null, 0), dup2(null, 1), dup2(log >= 0 ? log : null, 2);
      execvp(argv[0], argv.data());
      _exit(127);
    }
    setpgid(pid_, pid_);  // as the child does: no race over who is first
    close(to[0]), close(from[1]);
    to_ = to[1], from_ = from[0];
  }
  ~Browser() {
    if (to_ >= 0) close(to_);
    if (from_ >= 0) close(from_);
    if (pid_ > 0) {  // the whole group: the wrapper script, the browser, its renderers
      kill(-pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  Browser(const Browser&) = delete;
  Browser& operator=(const Browser&) = delete;

  // Sends a command (to a page's session when given) and returns its result;
  // throws on an error reply or after `timeout`. Events are skipped.
  nlohmann::json call(const std::string& method, nlohmann::json params = nlohmann::json::object(),
                      const std::string& session = "", std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    const int id = next_id_++;
    nlohmann::json msg = {{"id", id}, {"method", method}, {"params", std::move(params)}};
    if (!session.empty()) msg["sessionId"] = session;
    std::string text = msg.dump() + '\0';
    for (size_t done = 0; done < text.size();) {
      ssize_t n = write(to_, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw std::runtime_error("the browser is gone (write " + method + ")");
      done += static_cast<size_t>(n);
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      nlohmann::json reply = next_message(deadline, method);
      if (reply.value("id", -1) != id) continue;
      if (reply.contains("error")) throw std::runtime_error(method + ": " + reply["error"].dump());
      return reply.value("result", nlohmann::json::object());
    }
  }

  // Opens `url` in a new tab and returns the tab's session.
  std::string open(const std::string& url) {
    std::string target = call("Target.createTarget", {{"url", "about:blank"}})["targetId"];
    std::string session = call("Target.attachToTarget", {{"targetId", target}, {"flatten", true}})["sessionId"];
    call("Page.navigate", {{"url", url}}, session);
    return session;
  }

  // The value of a JavaScript expression (promises awaited); throws when it
  // throws.
  nlohmann::json eval(const std::string& session, const std::string& expression) {
    nlohmann::json r = call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}}, session);
    if (r.contains("exceptionDetails")) throw std::runtime_error("JavaScript: " + r["exceptionDetails"].dump() + "\nin: " + expression);
    return r["result"].value("value", nlohmann::json());
  }

  // Evaluates `condition` until it is true; false after `timeout`.
  bool wait_for(const std::string& session, const std::string& condition, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
      if (eval(session, condition) == true) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
  }

 private:
  nlohmann::json next_message(std::chrono::steady_clock::time_point deadline, const std::string& waiting_for) {
    for (;;) {
      if (size_t end = buf_.find('\0'); end != std::string::npos) {
        std::string text = buf_.substr(0, end);
        buf_.erase(0, end + 1);
        return nlohmann::json::parse(text);
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) throw std::runtime_error("no reply from the browser to " + waiting_for);
      pollfd p{from_, POLLIN, 0};
      int ready = poll(&p, 1, static_cast<int>(left));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) continue;  // the deadline is checked above
      char chunk[65536];
      ssize_t n = read(from_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw std::runtime_error("the browser closed its pipe (waiting for " + waiting_for + ")");
      buf_.append(chunk, static_cast<size_t>(n));
    }
  }

  pid_t pid_ = -1;
  int to_ = -1, from_ = -1;
  int next_id_ = 1;
  std::string buf_;
};

}  // namespace report_test
