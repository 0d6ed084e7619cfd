#include "cli/serve/server.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <fstream>
#include <mutex>

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "cli/merged_log.hpp"
#include "cli/serve/assets.hpp"
#include "cli/serve/history_search.hpp"
#include "cli/serve/run_index.hpp"
#include "cli/serve/safe_path.hpp"
#include "cli/why_failed.hpp"
#include "core/errors.hpp"
#include "core/json_input.hpp"
#include "core/log.hpp"

namespace eclat::serve {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxRequestBody = 0;        // no route takes a body
constexpr size_t kMaxListedFiles = 2000;     // a run's file list
constexpr size_t kMaxFaultLines = 20000;     // faults.jsonl shown on a run page
constexpr size_t kMaxLogLines = 5000;        // one page of merged log
constexpr int kMaxEventStreams = 8;          // each holds a thread of the pool
constexpr size_t kThreads = 24;

// A client error: the status and a message for the JSON body.
struct RequestError {
  int status;
  std::string message;
};

std::string content_type_of(const fs::path& p) {
  const std::string ext = p.extension().string();
  if (ext == ".json") return "application/json";
  if (ext == ".jsonl" || ext == ".log" || ext == ".txt" || ext == ".edn" || ext == ".gp" || ext == ".md" ||
      ext == ".xml" || ext == ".dot")
    return "text/plain; charset=utf-8";
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".csv") return "text/csv; charset=utf-8";
  return "application/octet-stream";
}

std::string param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : std::string();
}

std::optional<double> number_param(const httplib::Request& req, const char* name) {
  const std::string v = param(req, name);
  if (v.empty()) return std::nullopt;
  try {
    size_t used = 0;
    const double d = std::stod(v, &used);
    if (used == v.size() && std::isfinite(d)) return d;
  } catch (const std::exception&) {
  }
  throw RequestError{400, std::string(name) + ": not a number: \"" + v + "\""};
}

size_t count_param(const httplib::Request& req, const char* name, size_t fallback, size_t max) {
  const auto d = number_param(req, name);
  if (!d) return fallback;
  if (*d < 0 || *d != std::floor(*d)) throw RequestError{400, std::string(name) + ": not a count"};
  return static_cast<size_t>(std::min<double>(*d, static_cast<double>(max)));
}

void send_json(httplib::Response& res, const nlohmann::json& j, int status = 200) {
  res.status = status;
  res.set_content(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

// Relative path of `p` under `root` when inside it, else empty.
std::string id_under(const fs::path& root, const fs::path& p) {
  std::error_code ec;
  const fs::path real = fs::canonical(p, ec);
  if (ec) return "";
  const fs::path rel = real.lexically_relative(root);
  if (rel.empty() || *rel.begin() == "..") return "";
  return rel == "." ? "" : rel.generic_string();
}

nlohmann::json read_json_or_null(const fs::path& p, size_t max_bytes = size_t{256} << 20) {
  std::error_code ec;
  if (!fs::exists(p, ec)) return nullptr;
  try {
    return read_json_file(p, max_bytes);
  } catch (const std::exception& e) {
    return {{"unreadable", e.what()}};
  }
}

}  // namespace

struct Server::Impl {
  ServeOptions opt;
  fs::path root;  // canonical when it exists; as given otherwise
  bool root_exists = false;
  RunIndex index;
  HistoryIndexCache histories;
  httplib::Server http;
  std::atomic<bool> stopping{false};
  std::atomic<int> streams{0};
  std::thread refresher;
  std::mutex mu;
  std::condition_variable cv;

  explicit Impl(ServeOptions o)
      : opt(std::move(o)), root(canonical_or_given(opt.results)), root_exists(fs::is_directory(root)),
        index(root) {
    index.refresh();
  }

  static fs::path canonical_or_given(const fs::path& p) {
    std::error_code ec;
    fs::path c = fs::canonical(p, ec);
    return ec ? fs::absolute(p) : c;
  }

  // The run directory an ?id= names, or a RequestError.
  fs::path run_dir(const httplib::Request& req) {
    const std::string id = param(req, "id");
    const ResolvedPath r = resolve_under(root, id);
    if (r.refusal == PathRefusal::forbidden) throw RequestError{403, "outside the results directory"};
    if (r.refusal == PathRefusal::missing || !fs::is_directory(r.path))
      throw RequestError{404, "no run \"" + id + "\""};
    return r.path;
  }

  void routes() {
    http.set_payload_max_length(kMaxRequestBody);
    http.new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
    // Read-only: a method other than GET or HEAD is refused before routing.
    http.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
      res.set_header("X-Content-Type-Options", "nosniff");
      res.set_header("Referrer-Policy", "no-referrer");
      if (req.method != "GET" && req.method != "HEAD") {
        res.status = 405;
        res.set_header("Allow", "GET, HEAD");
        res.set_content("{\"error\":\"read-only: GET and HEAD only\"}", "application/json");
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
      std::string what = "internal error";
      try {
        std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      ECLAT_LOG(warn, "serve") << what;
      send_json(res, {{"error", what}}, 500);
    });
    http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (res.body.empty()) send_json(res, {{"error", "HTTP " + std::to_string(res.status)}}, res.status);
    });

    auto guarded = [this](auto fn) {
      return [this, fn](const httplib::Request& req, httplib::Response& res) {
        try {
          fn(req, res);
        } catch (const RequestError& e) {
          send_json(res, {{"error", e.message}}, e.status);
        } catch (const BadInput& e) {
          send_json(res, {{"error", e.what()}}, 400);
        }
      };
    };

    http.Get("/", [](const httplib::Request&, httplib::Response& res) { asset(res, "app.html"); });
    http.Get(R"(/assets/([A-Za-z0-9_.-]+))", [](const httplib::Request& req, httplib::Response& res) {
      asset(res, req.matches[1].str());
    });
    http.Get("/api/runs", guarded([this](const httplib::Request& req, httplib::Response& res) { runs(req, res); }));
    http.Get("/api/run", guarded([this](const httplib::Request& req, httplib::Response& res) { run(req, res); }));
    http.Get("/api/run/history",
             guarded([this](const httplib::Request& req, httplib::Response& res) { history(req, res); }));
    http.Get("/api/run/log", guarded([this](const httplib::Request& req, httplib::Response& res) { log(req, res); }));
    http.Get("/api/suites", guarded([this](const httplib::Request&, httplib::Response& res) { suites(res); }));
    http.Get("/api/suite", guarded([this](const httplib::Request& req, httplib::Response& res) { suite(req, res); }));
    http.Get("/api/events", [this](const httplib::Request&, httplib::Response& res) { events(res); });
    http.Get(R"(/files/(.*))", guarded([this](const httplib::Request& req, httplib::Response& res) {
               file(req.matches[1].str(), req.has_param("download"), res);
             }));
  }

  static void asset(httplib::Response& res, const std::string& name) {
    const Asset* a = find_asset(name);
    if (!a) {
      send_json(res, {{"error", "no such asset"}}, 404);
      return;
    }
    res.set_content(std::string(a->body), std::string(a->content_type));
  }

  void runs(const httplib::Request& req, httplib::Response& res) {
    RunFilter f;
    // verdict=invalid,unknown: any of them
    const std::string v = param(req, "verdict");
    for (size_t start = 0; !v.empty() && start <= v.size();) {
      size_t comma = v.find(',', start);
      if (comma == std::string::npos) comma = v.size();
      if (comma > start) f.verdicts.push_back(v.substr(start, comma - start));
      start = comma + 1;
    }
    f.system = param(req, "system");
    f.workload = param(req, "workload");
    f.fault = param(req, "fault");
    f.name = param(req, "name");
    f.from = param(req, "from");
    f.to = param(req, "to");
    if (const std::string s = param(req, "sort"); !s.empty()) {
      static const char* kSorts[] = {"started", "name", "system", "workload", "duration",
                                     "operations", "verdict", "lost", "seed"};
      if (std::find(std::begin(kSorts), std::end(kSorts), s) == std::end(kSorts))
        throw RequestError{400, "sort: no such column \"" + s + "\""};
      f.sort = s;
    }
    if (const std::string o = param(req, "order"); !o.empty()) {
      if (o != "asc" && o != "desc") throw RequestError{400, "order: asc or desc"};
      f.descending = o == "desc";
    }
    f.page = std::max<size_t>(1, count_param(req, "page", 1, 1000000));
    f.per_page = count_param(req, "per_page", 50, 500);
    nlohmann::json out = query_runs(*index.snapshot(), f);
    out["results"] = root.string();
    out["results_exists"] = root_exists || fs::is_directory(root);
    send_json(res, out);
  }

  void run(const httplib::Request& req, httplib::Response& res) {
    const fs::path dir = run_dir(req);
    const std::string id = id_under(root, dir);
    nlohmann::json out;
    out["summary"] = summarize_run(dir, id).to_json();
    nlohmann::json results = read_json_or_null(dir / "results.json");
    if (results.is_object() && results.contains("why")) out["why_text"] = why_failed_text(results["why"]);
    out["results"] = std::move(results);
    out["scenario"] = read_json_or_null(dir / "scenario.json", size_t{16} << 20);
    out["progress"] = read_json_or_null(dir / "progress.json", size_t{1} << 20);
    if (nlohmann::json replay = read_json_or_null(dir / "replay.json", size_t{1} << 20); replay.is_object()) {
      if (replay.contains("replay_of") && replay["replay_of"].is_string())
        replay["replay_of_id"] = id_under(root, replay["replay_of"].get<std::string>());
      out["replay"] = replay;
    }
    // The fault schedule as faults.jsonl recorded it (a line that does not
    // parse is shown as text: a killed run's last line).
    nlohmann::json faults = nlohmann::json::array();
    {
      std::ifstream in(dir / "faults.jsonl");
      for (std::string line; faults.size() < kMaxFaultLines && std::getline(in, line);) {
        nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
        faults.push_back(j.is_discarded() ? nlohmann::json{{"text", line}} : j);
      }
    }
    out["faults"] = faults;
    // Every file of the run, for the pictures and the downloads.
    nlohmann::json files = nlohmann::json::array();
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end && files.size() < kMaxListedFiles; it.increment(ec)) {
      std::error_code f_ec;
      if (!it->is_regular_file(f_ec) || it->is_symlink(f_ec)) continue;
      const std::string rel = it->path().lexically_relative(dir).generic_string();
      if (rel.find(".tmp.") != std::string::npos) continue;  // a file being replaced
      files.push_back({{"path", rel}, {"bytes", it->file_size(f_ec)}});
    }
    std::sort(files.begin(), files.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
      return a["path"].get<std::string>() < b["path"].get<std::string>();
    });
    out["files"] = files;
    send_json(res, out);
  }

  void history(const httplib::Request& req, httplib::Response& res) {
    const fs::path dir = run_dir(req);
    const fs::path file = dir / "history.jsonl";
    if (!fs::is_regular_file(file)) throw RequestError{404, "this run has no history.jsonl"};
    HistoryQuery q;
    if (req.has_param("key")) q.key = param(req, "key");
    if (const std::string p = param(req, "process"); !p.empty()) q.process = p;
    if (const std::string f = param(req, "f"); !f.empty()) q.f = f;
    if (const std::string t = param(req, "type"); !t.empty()) {
      try {
        q.type = op_type_from_string(t);
      } catch (const std::exception&) {
        throw RequestError{400, "type: invoke, ok, fail or info, not \"" + t + "\""};
      }
    }
    if (const std::string v = param(req, "value"); !v.empty()) q.value = v;
    q.from_s = number_param(req, "from");
    q.to_s = number_param(req, "to");
    q.offset = count_param(req, "offset", 0, SIZE_MAX / 2);
    q.limit = count_param(req, "limit", 100, 1000);
    const auto idx = histories.get(file);
    const HistoryPage page = idx->query(q);
    // The lines are JSON already (each was parsed to be indexed): spliced
    // in as they are, not parsed and printed again.
    std::string body = "{\"operations\":" + std::to_string(page.operations) +
                       ",\"matched\":" + std::to_string(page.matched) + ",\"offset\":" + std::to_string(q.offset) +
                       ",\"limit\":" + std::to_string(q.limit) +
                       ",\"truncated_tail\":" + (page.truncated_tail ? "true" : "false") +
                       ",\"unreadable_lines\":" + std::to_string(page.unreadable_lines) + ",\"line_numbers\":[";
    for (size_t i = 0; i < page.line_numbers.size(); ++i) body += (i ? "," : "") + std::to_string(page.line_numbers[i]);
    body += "],\"ops\":[";
    for (size_t i = 0; i < page.lines.size(); ++i) (body += i ? "," : "") += page.lines[i];
    body += "]}";
    res.set_content(body, "application/json");
  }

  void log(const httplib::Request& req, httplib::Response& res) {
    const fs::path dir = run_dir(req);
    const MergedLog merged = merged_log(dir, param(req, "node"));
    const auto around = number_param(req, "around");
    const double window = number_param(req, "window").value_or(5);
    const size_t offset = count_param(req, "offset", 0, SIZE_MAX / 2), limit = count_param(req, "limit", 2000, kMaxLogLines);
    nlohmann::json lines = nlohmann::json::array();
    size_t matched = 0;
    for (const auto& l : merged.lines) {
      if (around && std::fabs(l.t - *around) > window) continue;
      if (matched++ < offset || lines.size() >= limit) continue;
      lines.push_back({{"t", l.t}, {"approximate", l.approximate}, {"source", l.source}, {"text", l.text}});
    }
    send_json(res, {{"processes", merged.processes}, {"matched", matched}, {"offset", offset}, {"lines", lines}});
  }

  void suites(httplib::Response& res) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& s : index.snapshot()->suites) list.push_back(s.to_json());
    send_json(res, {{"suites", list}});
  }

  void suite(const httplib::Request& req, httplib::Response& res) {
    const fs::path dir = run_dir(req);
    nlohmann::json suite = read_json_or_null(dir / "suite.json", size_t{64} << 20);
    if (!suite.is_object() || !suite.contains("cases")) throw RequestError{404, "no suite.json here"};
    // Each scenario linked to its run, and its runs across suites grouped:
    // pass rates and flakiness are per scenario, over every case of it.
    std::map<std::string, nlohmann::json> by_scenario;
    for (auto& c : suite["cases"]) {
      if (c.contains("run_dir") && c["run_dir"].is_string()) c["run_id"] = id_under(root, c["run_dir"].get<std::string>());
      auto& s = by_scenario[c.value("scenario", "?")];
      if (s.is_null()) s = {{"scenario", c.value("scenario", "?")}, {"runs", 0}, {"as_expected", 0}, {"verdicts", nlohmann::json::object()}};
      s["runs"] = s["runs"].get<int>() + 1;
      if (c.value("as_expected", false)) s["as_expected"] = s["as_expected"].get<int>() + 1;
      const std::string got = c.value("got", "unknown");
      s["verdicts"][got] = s["verdicts"].value(got, 0) + 1;
    }
    nlohmann::json scenarios = nlohmann::json::array();
    for (auto& [name, s] : by_scenario) {
      s["flaky"] = s["verdicts"].size() > 1;  // one scenario, more than one verdict
      scenarios.push_back(s);
    }
    suite["scenarios"] = scenarios;
    suite["id"] = id_under(root, dir);
    for (const char* report : {"report.html", "report.md"})
      if (fs::is_regular_file(dir / report)) suite["report"] = suite["id"].get<std::string>() + "/" + report;
    send_json(res, suite);
  }

  // Server-sent events: every second the live runs' progress (progress.json,
  // which a run replaces whole) and the index generation, so that a page
  // reloads its list when a run appears or ends.
  void events(httplib::Response& res) {
    if (streams.fetch_add(1) >= kMaxEventStreams) {
      streams.fetch_sub(1);
      send_json(res, {{"error", "too many event streams open"}}, 503);
      return;
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider(
        "text/event-stream",
        [this](size_t, httplib::DataSink& sink) {
          const std::string event = "data: " + live_event().dump() + "\n\n";
          if (!sink.write(event.data(), event.size())) return false;
          std::unique_lock lock(mu);
          cv.wait_for(lock, std::chrono::seconds(1), [this] { return stopping.load(); });
          return !stopping.load() && sink.is_writable();
        },
        [this](bool) { streams.fetch_sub(1); });
  }

  nlohmann::json live_event() {
    const auto snap = index.snapshot();
    nlohmann::json live = nlohmann::json::array();
    for (const auto& r : snap->runs) {
      if (r.state != "running") continue;
      live.push_back({{"id", r.id}, {"name", r.name}, {"progress", read_json_or_null(root / r.id / "progress.json", 1 << 20)}});
    }
    return {{"generation", snap->generation}, {"running", live}};
  }

  void file(const std::string& rel, bool download, httplib::Response& res) {
    const ResolvedPath r = resolve_under(root, rel);
    if (r.refusal == PathRefusal::forbidden) throw RequestError{403, "outside the results directory"};
    if (r.refusal == PathRefusal::missing || !fs::is_regular_file(r.path)) throw RequestError{404, "no such file"};
    // The size is taken once: a history a live run appends to is served as
    // it was when asked for, whole lines up to then.
    const int fd = ::open(r.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw RequestError{404, "cannot open"};
    const auto size = static_cast<size_t>(::lseek(fd, 0, SEEK_END));
    auto shared_fd = std::shared_ptr<int>(new int(fd), [](int* p) {
      ::close(*p);
      delete p;
    });
    if (download)
      res.set_header("Content-Disposition", "attachment; filename=\"" + r.path.filename().string() + "\"");
    res.set_content_provider(size, content_type_of(r.path),
                             [shared_fd](size_t offset, size_t length, httplib::DataSink& sink) {
                               char buf[64 * 1024];
                               while (length > 0) {
                                 const ssize_t n = ::pread(*shared_fd, buf, std::min(length, sizeof buf), offset);
                                 if (n <= 0) return false;
                                 if (!sink.write(buf, static_cast<size_t>(n))) return false;
                                 offset += n;
                                 length -= n;
                               }
                               return true;
                             });
  }

  void refresh_loop() {
    std::unique_lock lock(mu);
    while (!cv.wait_for(lock, std::chrono::duration<double>(opt.refresh_s), [this] { return stopping.load(); })) {
      lock.unlock();
      try {
        index.refresh();
      } catch (const std::exception& e) {
        ECLAT_LOG(warn, "serve") << "walking " << root.string() << ": " << e.what();
      }
      lock.lock();
    }
  }
};

Server::Server(ServeOptions options) : impl_(std::make_unique<Impl>(std::move(options))) { impl_->routes(); }

Server::~Server() {
  stop();
  if (impl_->refresher.joinable()) impl_->refresher.join();
}

int Server::bind() {
  int port = impl_->opt.port;
  if (port == 0) {
    port = impl_->http.bind_to_any_port(impl_->opt.bind);
    if (port < 0) throw HarnessError("cannot listen on " + impl_->opt.bind);
  } else if (!impl_->http.bind_to_port(impl_->opt.bind, port)) {
    throw HarnessError("cannot listen on " + impl_->opt.bind + ":" + std::to_string(port) +
                       " (in use, or not an address of this host)");
  }
  return port;
}

void Server::run() {
  impl_->refresher = std::thread([this] { impl_->refresh_loop(); });
  impl_->http.listen_after_bind();
}

void Server::stop() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  impl_->http.stop();
}

size_t Server::runs() const { return impl_->index.snapshot()->runs.size(); }
size_t Server::suites() const { return impl_->index.snapshot()->suites.size(); }

}  // namespace eclat::serve
