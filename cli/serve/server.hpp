// eclat serve's HTTP server (Debian's cpp-httplib: a maintained, packaged
// server with a thread pool, keep-alive, request size limits and chunked
// responses for server-sent events, and nothing to write by hand at the
// socket level; Boost.Beast would have meant writing the server loop too).
//
// Read-only by construction: GET and HEAD only (anything else is 405), no
// route writes anything; every path a request names goes through
// resolve_under (safe_path.hpp). Routes:
//   /                       the browser app (assets/, one page, hash-routed)
//   /assets/NAME            its script and style
//   /api/runs               the runs list: filters, sort, page (run_index.hpp)
//   /api/run?id=            one run: summary, results.json, scenario, faults, files, why
//   /api/run/history?id=    the history searched (history_search.hpp)
//   /api/run/log?id=        the logs merged on the run's time base
//   /api/suites, /api/suite?id=
//   /api/events             server-sent events: live runs' progress, index changes
//   /files/PATH             a file under the results directory
#pragma once
#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

namespace eclat::serve {

struct ServeOptions {
  std::filesystem::path results = "results";
  std::string bind = "127.0.0.1";
  int port = 8080;         // 0: any free port (tests)
  double refresh_s = 2.0;  // how often the results tree is walked again
};

class Server {
 public:
  explicit Server(ServeOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the socket; returns the port. HarnessError when it cannot (in use,
  // no such address).
  int bind();
  // Serves until stop(); call after bind().
  void run();
  void stop();
  // The first walk of the results directory: how many runs and suites.
  size_t runs() const;
  size_t suites() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace eclat::serve
