// eclat serve, end to end: the real binary serving real run directories
// (made by real `eclat test` runs: a valid set run, a positive control whose
// linearizability checker finds a counterexample, and a run still going),
// asked over raw HTTP (no client library to normalise the paths sent) and
// through headless Chromium driven over the DevTools protocol. Screenshots
// land in the build directory (serve-screenshots/).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "cdp_client.hpp"
#include "eclat_run_util.hpp"

namespace {

using namespace std::chrono_literals;

// `eclat serve` in the background, its stdout in a file; the port it chose.
struct ServeProcess {
  pid_t pid = -1;
  int port = 0;
  std::string output;
  fs::path out_file;

  explicit ServeProcess(const fs::path& results, const fs::path& scratch) {
    out_file = scratch / ("serve-" + std::to_string(getpid()) + "-" + std::to_string(counter()++) + ".out");
    pid = fork();
    if (pid == 0) {
      setpgid(0, 0);
      int fd = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1), dup2(fd, 2);
      execl(ECLAT_BINARY, ECLAT_BINARY, "serve", "--results", results.c_str(), "--port", "0", "--bind",
            "127.0.0.1", static_cast<char*>(nullptr));
      _exit(127);
    }
    static const std::regex kUrl(R"(serve: http://127\.0\.0\.1:(\d+)/)");
    for (auto deadline = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < deadline;) {
      std::ifstream in(out_file);
      output.assign(std::istreambuf_iterator<char>(in), {});
      std::smatch m;
      if (std::regex_search(output, m, kUrl)) {
        port = std::stoi(m[1].str());
        return;
      }
      std::this_thread::sleep_for(50ms);
    }
  }
  ~ServeProcess() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      int status;
      for (int i = 0; i < 100 && waitpid(pid, &status, WNOHANG) == 0; ++i) std::this_thread::sleep_for(50ms);
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
    }
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

struct HttpReply {
  int status = 0;
  std::string head, body;
};

// One request written byte for byte as given: the path is not normalised.
HttpReply raw_request(int port, const std::string& request) {
  HttpReply r;
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(s);
    return r;
  }
  timeval tv{10, 0};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)!write(s, request.data(), request.size());
  std::string all;
  char buf[65536];
  for (ssize_t n; (n = read(s, buf, sizeof buf)) > 0;) all.append(buf, n);
  close(s);
  const size_t sp = all.find(' ');
  if (sp != std::string::npos) r.status = std::atoi(all.c_str() + sp + 1);
  const size_t end = all.find("\r\n\r\n");
  r.head = all.substr(0, end);
  if (end != std::string::npos) r.body = all.substr(end + 4);
  return r;
}

HttpReply get(int port, const std::string& target, const std::string& method = "GET") {
  return raw_request(port, method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
}

nlohmann::json get_json(int port, const std::string& target) {
  HttpReply r = get(port, target);
  EXPECT_EQ(r.status, 200) << target << ": " << r.body;
  // A chunked reply is not expected from the JSON routes.
  return nlohmann::json::parse(r.body);
}

// The run directory an `eclat test` printed.
fs::path run_dir_of(const std::string& output) {
  const auto at = output.rfind("results: ");
  if (at == std::string::npos) return {};
  return output.substr(at + 9, output.find('\n', at) - at - 9);
}

class Serve : public ::testing::Test {
 protected:
  static fs::path results_, scratch_, valid_run_, invalid_run_;

  // Two real runs for every test of the suite (about 25 s).
  static void SetUpTestSuite() {
    scratch_ = e2e::fresh_results_dir("serve");
    results_ = scratch_ / "results";
    auto a = e2e::eclat("test --time-limit 5 --results " + results_.string());
    ASSERT_EQ(a.code, 0) << a.output;
    valid_run_ = run_dir_of(a.output);
    auto b = e2e::eclat("test --time-limit 10 --workload register --bug get-by-id-shard0 --nemesis kill --results " +
                        results_.string());
    ASSERT_EQ(b.code, 1) << b.output;
    invalid_run_ = run_dir_of(b.output);
    // A damaged run (results.json cut in the middle), a killed one (no
    // results.json, nobody holding its lock), a symlink out of the results,
    // and a secret beside them that no request may reach.
    fs::create_directories(results_ / "broken" / "20261201T000000Z");
    std::ofstream(results_ / "broken" / "20261201T000000Z" / "scenario.json") << "{\"name\": \"broken\"}";
    std::ofstream(results_ / "broken" / "20261201T000000Z" / "results.json") << "{\"valid\": tr";
    fs::create_directories(results_ / "killed" / "20261201T000001Z");
    std::ofstream(results_ / "killed" / "20261201T000001Z" / "scenario.json")
        << "{\"name\": \"killed\", \"system\": \"miroir\", \"workload\": \"set\"}";
    std::ofstream(results_ / "killed" / "20261201T000001Z" / "history.jsonl")
        << "{\"index\":0,\"type\":\"invoke\",\"process\":0,\"f\":\"add\",\"value\":1,\"time\":5}\n{\"index\":1,\"ty";
    std::ofstream(scratch_ / "secret.txt") << "secret";
    fs::create_symlink("/etc", results_ / "etc-link");
    fs::create_symlink(scratch_ / "secret.txt", results_ / "secret-link.txt");
  }
  static void TearDownTestSuite() { fs::remove_all(scratch_); }

  static std::string id_of(const fs::path& run) { return fs::relative(run, results_).generic_string(); }
};
fs::path Serve::results_, Serve::scratch_, Serve::valid_run_, Serve::invalid_run_;

TEST_F(Serve, NoPathOutsideTheResultsIsServed) {
  ServeProcess serve(results_, scratch_);
  ASSERT_GT(serve.port, 0) << serve.output;
  const std::string inside = "/files/" + id_of(valid_run_) + "/results.json";
  ASSERT_EQ(get(serve.port, inside).status, 200);  // the check can fail: the same route serves what is inside
  ASSERT_EQ(get(serve.port, "/files/" + id_of(valid_run_).substr(0, id_of(valid_run_).find('/')) +
                                "/latest/scenario.json").status, 200);  // a symlink inside, to inside
  const std::vector<std::string> attempts = {
      "/files/../secret.txt",
      "/files/%2e%2e/secret.txt",
      "/files/%2E%2E/secret.txt",
      "/files/..%2fsecret.txt",
      "/files/..%2Fsecret.txt",
      "/files/" + id_of(valid_run_) + "/../../../secret.txt",
      "/files//etc/passwd",
      "/files/%2fetc%2fpasswd",
      "/files/etc-link/passwd",
      "/files/secret-link.txt",
      "/files/..\\secret.txt",
      "/files/%5c..%5csecret.txt",
      "/files/./" + id_of(valid_run_) + "/results.json",
      "/files/%00/etc/passwd",
      "/files/%252e%252e/secret.txt",  // decoded once: a name with '%' in it, not there
      "/files/..%c0%afsecret.txt",     // overlong UTF-8 '/'
      "/api/run?id=..",
      "/api/run?id=%2e%2e%2f",
      "/api/run?id=/etc",
      "/api/run?id=etc-link",
      "/api/run/history?id=../results",
      "/api/run/log?id=" + id_of(valid_run_) + "/../../..",
  };
  for (const auto& path : attempts) {
    const HttpReply r = get(serve.port, path);
    EXPECT_TRUE(r.status == 403 || r.status == 404 || r.status == 400) << path << " answered " << r.status;
    EXPECT_EQ(r.body.find("secret"), std::string::npos) << path;
    EXPECT_EQ(r.body.find("root:"), std::string::npos) << path;
  }
  // Read-only: no other method, no body.
  for (const char* m : {"POST", "PUT", "DELETE", "PATCH"}) EXPECT_EQ(get(serve.port, inside, m).status, 405) << m;
  // A request line longer than the library's bound is refused, not read.
  EXPECT_GE(get(serve.port, "/files/" + std::string(20000, 'a')).status, 400);
}

TEST_F(Serve, ListsEveryRunDamagedOnesIncludedAndFilters) {
  ServeProcess serve(results_, scratch_);
  ASSERT_GT(serve.port, 0) << serve.output;
  EXPECT_NE(serve.output.find("4 runs"), std::string::npos) << serve.output;
  nlohmann::json all = get_json(serve.port, "/api/runs");
  ASSERT_EQ(all["total"], 4) << all.dump(1);
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& r : all["runs"]) by_name[r["name"]] = r;
  EXPECT_EQ(by_name["broken"]["state"], "damaged");
  EXPECT_NE(by_name["broken"]["problem"].get<std::string>().find("results.json"), std::string::npos);
  EXPECT_EQ(by_name["killed"]["state"], "incomplete");
  EXPECT_EQ(by_name["miroir-set"]["verdict"], "valid");
  EXPECT_EQ(by_name["miroir-register"]["verdict"], "invalid");
  EXPECT_EQ(by_name["miroir-register"]["failing"], nlohmann::json::array({"linearizable"}));
  nlohmann::json invalid = get_json(serve.port, "/api/runs?verdict=invalid");
  ASSERT_EQ(invalid["matched"], 1);
  EXPECT_EQ(invalid["runs"][0]["id"], id_of(invalid_run_));
  EXPECT_EQ(get_json(serve.port, "/api/runs?fault=kill&workload=set")["matched"], 1);
  EXPECT_EQ(get_json(serve.port, "/api/runs?name=REGISTER")["matched"], 1);
  EXPECT_EQ(get_json(serve.port, "/api/runs?from=2030-01-01")["matched"], 0);
  EXPECT_EQ(get_json(serve.port, "/api/runs?to=2026-12-01")["matched"], 2);  // the two hand-made ones
  nlohmann::json paged = get_json(serve.port, "/api/runs?per_page=1&page=2&sort=name&order=asc");
  EXPECT_EQ(paged["pages"], 4);
  EXPECT_EQ(paged["runs"][0]["name"], "killed");
  EXPECT_EQ(get(serve.port, "/api/runs?sort=nonsense").status, 400);
  // The damaged run's page opens too, saying what is wrong.
  nlohmann::json broken = get_json(serve.port, "/api/run?id=broken/20261201T000000Z");
  EXPECT_TRUE(broken["results"].contains("unreadable"));
  // A killed run's partial history is searchable: the cut line is flagged.
  nlohmann::json h = get_json(serve.port, "/api/run/history?id=killed/20261201T000001Z");
  EXPECT_EQ(h["operations"], 1);
  EXPECT_EQ(h["truncated_tail"], true);
}

TEST_F(Serve, AMissingOrEmptyDirectoryIsAnEmptyList) {
  const fs::path missing = scratch_ / "nothing-here";
  {
    ServeProcess serve(missing, scratch_);
    ASSERT_GT(serve.port, 0) << serve.output;
    EXPECT_NE(serve.output.find("does not exist"), std::string::npos) << serve.output;
    nlohmann::json j = get_json(serve.port, "/api/runs");
    EXPECT_EQ(j["total"], 0);
    EXPECT_EQ(j["results_exists"], false);
  }
  EXPECT_FALSE(fs::exists(missing));  // served, never created
  fs::create_directories(scratch_ / "empty");
  ServeProcess serve(scratch_ / "empty", scratch_);
  ASSERT_GT(serve.port, 0) << serve.output;
  EXPECT_NE(serve.output.find("no runs"), std::string::npos) << serve.output;
  EXPECT_EQ(get_json(serve.port, "/api/runs")["total"], 0);
}

void screenshot(report_test::Browser& b, const std::string& session, const std::string& name) {
  const fs::path dir = fs::path(ECLAT_BUILD_DIR) / "serve-screenshots";
  fs::create_directories(dir);
  nlohmann::json shot = b.call("Page.captureScreenshot", {{"format", "png"}, {"captureBeyondViewport", true}}, session);
  const std::string data = shot["data"];
  // base64 → bytes
  static const std::string kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int val = 0, bits = -8;
  for (char c : data) {
    const auto p = kB64.find(c);
    if (p == std::string::npos) break;
    val = (val << 6) + static_cast<int>(p);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xFF));
      bits -= 8;
    }
  }
  std::ofstream(dir / name, std::ios::binary) << out;
}

// The page has drawn the route it was sent to.
bool ready_after(report_test::Browser& b, const std::string& s, const std::string& go) {
  b.eval(s, "document.body.dataset.ready = ''; " + go + "; true");
  return b.wait_for(s, "document.body.dataset.ready !== ''", 15s);
}

TEST_F(Serve, InAChromiumTheListFiltersARunShowsItsEvidenceAndALiveRunMoves) {
  ServeProcess serve(results_, scratch_);
  ASSERT_GT(serve.port, 0) << serve.output;
  const std::string base = "http://127.0.0.1:" + std::to_string(serve.port) + "/";
  report_test::Browser browser(scratch_ / "chromium-profile", 1300, 1000);
  const std::string s = browser.open(base);
  ASSERT_TRUE(browser.wait_for(s, "document.querySelectorAll('tr.run-row').length === 4", 15s));

  // 1. The list filtered to the invalid runs, from its own verdict menu.
  ASSERT_TRUE(ready_after(browser, s,
                          "const sel = document.querySelector('#filters select[name=verdict]'); sel.value = 'invalid';"
                          " sel.dispatchEvent(new Event('change'))"));
  ASSERT_TRUE(browser.wait_for(s, "document.querySelectorAll('tr.run-row').length === 1", 10s));
  EXPECT_EQ(browser.eval(s, "document.querySelector('tr.run-row').dataset.verdict"), "invalid");
  EXPECT_EQ(browser.eval(s, "location.hash.includes('verdict=invalid')"), true);
  screenshot(browser, s, "runs-invalid.png");

  // 2. The invalid run's page: why it failed, with the counterexample, and
  // the pictures drawn (the counterexample's among them).
  ASSERT_TRUE(ready_after(browser, s, "document.querySelector('tr.run-row a').click()"));
  ASSERT_TRUE(browser.wait_for(s, "!!document.querySelector('#why')", 10s));
  const std::string why = browser.eval(s, "document.querySelector('#why').textContent");
  EXPECT_NE(why.find("counterexample"), std::string::npos) << why;
  EXPECT_EQ(browser.eval(s, "document.querySelector('#checkers tr[data-checker=linearizable] .verdict').textContent"),
            "invalid");
  ASSERT_TRUE(browser.wait_for(
      s, "[...document.querySelectorAll('#pictures img')].every(i => i.complete && i.naturalWidth > 0)", 15s));
  EXPECT_EQ(browser.eval(s, "[...document.querySelectorAll('#pictures img')].some(i => i.src.endsWith('/linearizable.svg'))"),
            true);
  EXPECT_EQ(browser.eval(s, "[...document.querySelectorAll('#pictures img')].some(i => i.src.endsWith('/latency-raw.svg'))"),
            true);
  EXPECT_NE(browser.eval(s, "document.querySelector('#reproduce').textContent").get<std::string>().find("eclat replay"),
            std::string::npos);
  screenshot(browser, s, "run-invalid.png");

  // 3. The history searched by key: the page shows that key's operations only.
  ASSERT_TRUE(browser.wait_for(s, "document.querySelector('#history-count').textContent.includes('match')", 10s));
  browser.eval(s, "const f = document.querySelector('#history-form'); f.elements.key.value = '7';"
                  " f.elements.type.value = 'ok'; document.querySelector('#history-count').textContent = '';"
                  " f.requestSubmit(); true");
  ASSERT_TRUE(browser.wait_for(s, "document.querySelector('#history-count').textContent.includes('match')", 10s));
  const nlohmann::json keys = browser.eval(
      s, "[...document.querySelectorAll('tr.history-op')].map(r => r.children[6].textContent + '/' + r.children[4].textContent)");
  ASSERT_FALSE(keys.empty()) << browser.eval(s, "document.querySelector('#history-count').textContent");
  for (const auto& k : keys) EXPECT_EQ(k, "7/ok");
  screenshot(browser, s, "history-key.png");

  // 4. A live run: listed as running, its progress moving, then finished.
  const std::string live_name = "serve-live";
  const pid_t run = e2e::spawn({ECLAT_BINARY, "test", "--time-limit", "12", "--name", live_name, "--results",
                                results_.string()});
  ASSERT_TRUE(ready_after(browser, s, "location.hash = '#/runs?name=" + live_name + "'"));
  ASSERT_TRUE(browser.wait_for(s, "!!document.querySelector('tr.run-row[data-state=running]')", 30s));
  ASSERT_TRUE(browser.wait_for(s, "document.querySelector('tr.run-row .live-progress').textContent.includes('[main]')", 30s));
  const std::string first = browser.eval(s, "document.querySelector('tr.run-row .live-progress').textContent");
  ASSERT_TRUE(browser.wait_for(
      s, "document.querySelector('tr.run-row .live-progress') && document.querySelector('tr.run-row .live-progress').textContent !== " +
             nlohmann::json(first).dump(),
      10s));
  screenshot(browser, s, "runs-live.png");
  ASSERT_TRUE(browser.wait_for(s, "!!document.querySelector('tr.run-row[data-state=finished]')", 60s));
  EXPECT_EQ(browser.eval(s, "document.querySelector('tr.run-row').dataset.verdict"), "valid");
  int status = 0;
  waitpid(run, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace
