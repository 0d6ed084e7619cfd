#include "checker/checker.hpp"

#include <atomic>
#include <mutex>

#include "core/registry.hpp"

namespace eclat {
namespace {
Registry<CheckerFactory>& registry() {
  static Registry<CheckerFactory> r(PartKind::checker);
  return r;
}
}  // namespace

bool register_checker(PartInfo info, CheckerFactory factory) {
  return registry().add(std::move(info), std::move(factory));
}
std::unique_ptr<Checker> make_checker(const std::string& name) { return registry().get(name)(); }
std::vector<std::string> checker_names() { return registry().names(); }

struct HistorySource::Lazy {
  std::filesystem::path file;
  Loader load;
  std::once_flag once;
  ReadResult read;
  std::atomic<bool> loaded{false};
  bool jsonl = true;
};

HistorySource::HistorySource(const History& ops) : ops_(&ops) {}

HistorySource::HistorySource(std::filesystem::path file, Loader load, bool jsonl)
    : lazy_(std::make_shared<Lazy>()) {
  lazy_->file = std::move(file);
  lazy_->jsonl = jsonl;
  lazy_->load = load ? std::move(load) : Loader([](const std::filesystem::path& p) { return read_history(p); });
}

const History& HistorySource::ops() const {
  if (ops_) return *ops_;
  std::call_once(lazy_->once, [this] {
    lazy_->read = lazy_->load(lazy_->file);
    lazy_->loaded = true;
  });
  return lazy_->read.history;
}

const std::vector<size_t>& HistorySource::lines() const {
  static const std::vector<size_t> none;
  if (ops_) return none;
  ops();
  return lazy_->read.lines;
}

const std::filesystem::path* HistorySource::unread_jsonl_file() const {
  if (ops_ || lazy_->loaded || !lazy_->jsonl) return nullptr;
  return &lazy_->file;
}

std::string HistorySource::name() const { return lazy_ ? lazy_->file.string() : "history"; }

bool HistorySource::truncated_tail() const { return lazy_ && lazy_->loaded && lazy_->read.truncated_tail; }

nlohmann::json run_checkers(const std::vector<std::string>& names, const CheckContext& ctx) {
  nlohmann::json out;
  out["checkers"] = nlohmann::json::object();
  Verdict overall = Verdict::valid;
  std::vector<std::pair<std::string, std::unique_ptr<Checker>>> checkers, later;
  for (const auto& name : names) {
    auto c = make_checker(name);  // all made first: an unknown name fails before any work
    (c->wants_findings() ? later : checkers).emplace_back(name, std::move(c));
  }
  for (auto& l : later) checkers.push_back(std::move(l));
  for (const auto& [name, checker] : checkers) {
    CheckContext c_ctx = ctx;
    if (checker->wants_findings()) c_ctx.findings = &out["checkers"];
    CheckResult r = checker->check(c_ctx);
    nlohmann::json c = r.details;
    c["valid"] = verdict_json(r.valid);
    c["summary"] = r.summary;
    out["checkers"][name] = c;
    overall = worst(overall, r.valid);
  }
  out["valid"] = verdict_json(overall);
  return out;
}

}  // namespace eclat
