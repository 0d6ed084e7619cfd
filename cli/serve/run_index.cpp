#include "cli/serve/run_index.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <set>

#include "cli/run_liveness.hpp"
#include "core/json_input.hpp"
#include "core/json_output.hpp"
#include "core/log.hpp"
#include "history/verdict.hpp"

namespace eclat::serve {

namespace fs = std::filesystem;

namespace {

const char* kCacheFile = ".eclat-serve-index.json";
constexpr int kCacheVersion = 1;
constexpr int kMaxDepth = 6;  // results/<suite results>/<name>/<timestamp>: deeper is not a run
constexpr size_t kMaxResultsBytes = size_t{256} << 20;

// mtime in ns and size, or zeros for a file that is not there.
void stat_key(const fs::path& p, int64_t& mtime, int64_t& size) {
  struct stat st;
  if (::stat(p.c_str(), &st) != 0) {
    mtime = size = 0;
    return;
  }
  mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  size = st.st_size;
}

// "20261207T101112Z" (a run directory's name) as "2026-12-07T10:11:12Z".
std::string utc_of_dirname(const std::string& n) {
  if (n.size() < 16 || n[8] != 'T' || n[15] != 'Z') return "";
  for (int i : {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14})
    if (!isdigit(static_cast<unsigned char>(n[i]))) return "";
  return n.substr(0, 4) + "-" + n.substr(4, 2) + "-" + n.substr(6, 2) + "T" + n.substr(9, 2) + ":" +
         n.substr(11, 2) + ":" + n.substr(13, 2) + "Z";
}

std::string str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// As eclat check and eclat suite read a verdict: true, false, else unknown.
std::string verdict_word_of(const nlohmann::json& v) { return verdict_word(verdict_from_json(v)); }

void from_scenario(const nlohmann::json& s, RunSummary& r) {
  if (!s.is_object()) return;
  if (r.name.empty()) r.name = str(s, "name");
  r.system = str(s, "system");
  r.workload = str(s, "workload");
  if (auto n = s.find("nemesis"); n != s.end() && n->is_array())
    for (const auto& f : *n)
      if (f.is_string()) r.faults.push_back(f);
  if (auto t = s.find("triggers"); t != s.end() && t->is_array())
    for (const auto& trig : *t)
      if (trig.is_object() && trig.contains("fault") && trig["fault"].is_string()) r.faults.push_back(trig["fault"]);
  if (auto seed = s.find("seed"); seed != s.end() && seed->is_number_unsigned()) r.seed = seed->get<uint64_t>();
  if (auto id = s.find("identity"); id != s.end() && id->is_object() && r.started_utc.empty())
    r.started_utc = str(*id, "started_utc");
}

void from_results(const nlohmann::json& res, RunSummary& r) {
  r.verdict = verdict_word_of(res.value("valid", nlohmann::json()));
  if (auto c = res.find("checkers"); c != res.end() && c->is_object()) {
    for (const auto& [name, ch] : c->items()) {
      if (!ch.is_object()) continue;
      if (verdict_word_of(ch.value("valid", nlohmann::json())) != "valid") r.failing.push_back(name);
      // set-full and lost-writes say lost_count, the migration checker lost
      if (auto l = ch.find("lost_count"); l != ch.end() && l->is_number_integer()) r.lost += l->get<int64_t>();
      else if (auto l2 = ch.find("lost"); l2 != ch.end() && l2->is_number_integer()) r.lost += l2->get<int64_t>();
    }
  }
  if (auto run = res.find("run"); run != res.end() && run->is_object()) {
    if (auto n = run->find("name"); n != run->end() && n->is_string()) r.name = *n;
    if (auto s = run->find("seed"); s != run->end() && s->is_number_unsigned()) r.seed = s->get<uint64_t>();
    if (auto t = run->find("total_s"); t != run->end() && t->is_number()) r.duration_s = t->get<double>();
    if (auto o = run->find("client_operations"); o != run->end() && o->is_number_integer())
      r.operations = o->get<int64_t>();
    r.replay_of = str(*run, "replay_of");
    if (auto id = run->find("identity"); id != run->end() && id->is_object() && !str(*id, "started_utc").empty())
      r.started_utc = str(*id, "started_utc");
  }
  if (auto a = res.find("as_expected"); a != res.end() && a->is_boolean()) r.as_expected = a->get<bool>();
}

bool is_run_dir(const fs::path& d) {
  std::error_code ec;
  for (const char* f : {"scenario.json", "results.json", "history.jsonl"})
    if (fs::is_regular_file(d / f, ec)) return true;
  return false;
}

}  // namespace

nlohmann::json RunSummary::to_json() const {
  nlohmann::json j = {{"id", id},           {"name", name},         {"started_utc", started_utc},
                      {"system", system},   {"workload", workload}, {"state", state},
                      {"verdict", verdict}, {"faults", faults},     {"failing", failing},
                      {"duration_s", duration_s}, {"operations", operations}, {"lost", lost}};
  j["seed"] = seed ? nlohmann::json(*seed) : nlohmann::json();
  if (as_expected) j["as_expected"] = *as_expected;
  if (!replay_of.empty()) j["replay_of"] = replay_of;
  if (!problem.empty()) j["problem"] = problem;
  return j;
}

RunSummary RunSummary::from_json(const nlohmann::json& j) {
  RunSummary r;
  r.id = j.at("id");
  r.name = j.value("name", "");
  r.started_utc = j.value("started_utc", "");
  r.system = j.value("system", "");
  r.workload = j.value("workload", "");
  r.state = j.value("state", "");
  r.verdict = j.value("verdict", "unknown");
  r.faults = j.value("faults", std::vector<std::string>{});
  r.failing = j.value("failing", std::vector<std::string>{});
  r.duration_s = j.value("duration_s", 0.0);
  r.operations = j.value("operations", int64_t{0});
  r.lost = j.value("lost", int64_t{0});
  if (j.contains("seed") && j["seed"].is_number_unsigned()) r.seed = j["seed"].get<uint64_t>();
  if (j.contains("as_expected") && j["as_expected"].is_boolean()) r.as_expected = j["as_expected"].get<bool>();
  r.replay_of = j.value("replay_of", "");
  r.problem = j.value("problem", "");
  return r;
}

nlohmann::json SuiteSummary::to_json() const {
  return {{"id", id}, {"started_utc", started_utc}, {"cases", cases}, {"as_expected", as_expected},
          {"finished", finished}};
}

RunSummary summarize_run(const fs::path& dir, const std::string& id) {
  RunSummary r;
  r.id = id;
  r.started_utc = utc_of_dirname(dir.filename().string());
  std::error_code ec;
  if (fs::exists(dir / "scenario.json", ec)) {
    try {
      from_scenario(read_json_file(dir / "scenario.json", size_t{16} << 20), r);
    } catch (const std::exception& e) {
      r.state = "damaged";
      r.problem = e.what();
    }
  }
  if (r.name.empty()) r.name = dir.parent_path().filename().string();
  if (fs::exists(dir / "results.json", ec)) {
    try {
      const nlohmann::json res = read_json_file(dir / "results.json", kMaxResultsBytes);
      if (!res.is_object()) throw std::runtime_error((dir / "results.json").string() + ": not a JSON object");
      from_results(res, r);
      if (r.state.empty()) r.state = "finished";
    } catch (const std::exception& e) {
      r.state = "damaged";
      r.verdict = "unknown";
      r.problem = r.problem.empty() ? e.what() : r.problem + "; " + e.what();
    }
  } else {
    r.verdict = "unknown";
    if (r.state.empty()) {
      r.state = run_is_live(dir) ? "running" : "incomplete";
      if (r.state == "incomplete")
        r.problem = "no results.json: the run was killed or crashed; eclat check reads its history";
    }
  }
  return r;
}

RunIndex::RunIndex(fs::path root, bool persist) : root_(std::move(root)), persist_(persist) {
  snap_ = std::make_shared<Snapshot>();
  load_cache();
}

std::shared_ptr<const RunIndex::Snapshot> RunIndex::snapshot() const {
  std::lock_guard lock(snap_mu_);
  return snap_;
}

void RunIndex::load_cache() {
  if (!persist_) return;
  std::error_code ec;
  if (!fs::exists(root_ / kCacheFile, ec)) return;
  try {
    const nlohmann::json j = read_json_file(root_ / kCacheFile, size_t{1} << 30, 16);
    if (j.value("version", 0) != kCacheVersion) return;
    for (const auto& e : j.at("runs")) {
      Cached c;
      for (int i = 0; i < 3; ++i) c.key[i] = e.at("key").at(i).get<int64_t>();
      c.summary = RunSummary::from_json(e.at("summary"));
      cache_[c.summary.id] = std::move(c);
    }
  } catch (const std::exception& e) {  // a damaged cache is rebuilt, never trusted
    ECLAT_LOG(warn, "serve") << "ignoring " << (root_ / kCacheFile).string() << ": " << e.what();
    cache_.clear();
  }
}

void RunIndex::save_cache() const {
  if (!persist_) return;
  nlohmann::json runs = nlohmann::json::array();
  for (const auto& [id, c] : cache_) {
    // A running or killed run is looked at again at every walk: only what
    // its files fix is worth keeping.
    if (c.summary.state != "finished" && c.summary.state != "damaged") continue;
    runs.push_back({{"key", {c.key[0], c.key[1], c.key[2]}}, {"summary", c.summary.to_json()}});
  }
  try {
    write_json_file(root_ / kCacheFile, {{"version", kCacheVersion}, {"runs", runs}}, -1);
  } catch (const std::exception& e) {  // a read-only results directory: the index stays in memory
    static bool said = false;
    if (!said) ECLAT_LOG(info, "serve") << "the index is kept in memory only: " << e.what();
    said = true;
  }
}

bool RunIndex::refresh() {
  std::lock_guard guard(refresh_mu_);
  auto next = std::make_shared<Snapshot>();
  std::set<std::string> seen;
  bool changed = false, cache_changed = false;
  std::error_code ec;
  if (fs::is_directory(root_, ec)) {
    fs::recursive_directory_iterator it(root_, fs::directory_options::skip_permission_denied, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      const fs::directory_entry& e = *it;
      std::error_code e_ec;
      // Symlinks are not walked (`latest` names a run listed under its own
      // name), nor hidden entries (the cache, editors' files).
      const std::string fname = e.path().filename().string();
      if (e.is_symlink(e_ec) || !e.is_directory(e_ec) || fname.empty() || fname[0] == '.') {
        if (e.is_directory(e_ec) && !e.is_symlink(e_ec)) it.disable_recursion_pending();
        continue;
      }
      if (it.depth() >= kMaxDepth) it.disable_recursion_pending();
      const std::string id = e.path().lexically_relative(root_).generic_string();
      if (fs::is_regular_file(e.path() / "suite.json", e_ec)) {
        it.disable_recursion_pending();
        SuiteSummary s;
        s.id = id;
        try {
          const nlohmann::json j = read_json_file(e.path() / "suite.json", size_t{64} << 20);
          s.started_utc = j.value("started_utc", "");
          s.finished = j.value("finished", false);
          for (const auto& c : j.value("cases", nlohmann::json::array())) {
            ++s.cases;
            if (c.value("as_expected", false)) ++s.as_expected;
          }
        } catch (const std::exception&) {
          s.finished = false;
        }
        next->suites.push_back(std::move(s));
        continue;
      }
      if (!is_run_dir(e.path())) continue;
      it.disable_recursion_pending();
      int64_t key[3], ignore;
      stat_key(e.path() / "results.json", key[0], key[1]);
      stat_key(e.path() / "scenario.json", key[2], ignore);
      seen.insert(id);
      auto c = cache_.find(id);
      const bool unfinished = key[0] == 0;  // running or killed: its state can change without its files
      if (c == cache_.end() || !std::equal(key, key + 3, c->second.key) || unfinished) {
        RunSummary s = summarize_run(e.path(), id);
        if (c == cache_.end() || c->second.summary.to_json() != s.to_json() ||
            !std::equal(key, key + 3, c->second.key)) {
          changed = true;
          cache_changed = cache_changed || !unfinished;
          Cached fresh;
          std::copy(key, key + 3, fresh.key);
          fresh.summary = std::move(s);
          cache_[id] = std::move(fresh);
        }
      }
      next->runs.push_back(cache_[id].summary);
    }
  }
  for (auto it = cache_.begin(); it != cache_.end();) {
    if (!seen.count(it->first)) {
      it = cache_.erase(it);
      changed = cache_changed = true;
    } else {
      ++it;
    }
  }
  std::sort(next->suites.begin(), next->suites.end(),
            [](const SuiteSummary& a, const SuiteSummary& b) { return a.id > b.id; });
  {
    std::lock_guard lock(snap_mu_);
    if (!changed) {
      // Suites are few and cheap: compared whole.
      nlohmann::json a = nlohmann::json::array(), b = nlohmann::json::array();
      for (const auto& s : next->suites) a.push_back(s.to_json());
      for (const auto& s : snap_->suites) b.push_back(s.to_json());
      changed = a != b || snap_->generation == 0;
    }
    next->generation = snap_->generation + (changed ? 1 : 0);
    if (changed) snap_ = next;
  }
  if (cache_changed) save_cache();
  return changed;
}

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return s;
}

bool matches(const RunSummary& r, const RunFilter& f, const std::string& name_lc) {
  if (!f.verdicts.empty() && std::find(f.verdicts.begin(), f.verdicts.end(), r.verdict) == f.verdicts.end() &&
      std::find(f.verdicts.begin(), f.verdicts.end(), r.state) == f.verdicts.end())
    return false;
  if (!f.system.empty() && r.system != f.system) return false;
  if (!f.workload.empty() && r.workload != f.workload) return false;
  if (!f.fault.empty() && std::find(r.faults.begin(), r.faults.end(), f.fault) == r.faults.end()) return false;
  if (!name_lc.empty() && lower(r.name).find(name_lc) == std::string::npos &&
      lower(r.id).find(name_lc) == std::string::npos)
    return false;
  if (!f.from.empty() && r.started_utc < f.from) return false;
  // "to 2026-12-07" includes the whole day: compare on the bound's length.
  if (!f.to.empty() && r.started_utc.substr(0, f.to.size()) > f.to) return false;
  return true;
}

}  // namespace

nlohmann::json query_runs(const RunIndex::Snapshot& s, const RunFilter& f) {
  const std::string name_lc = lower(f.name);
  std::vector<const RunSummary*> hits;
  std::set<std::string> systems, workloads, faults;
  std::map<std::string, int> verdicts;
  for (const auto& r : s.runs) {
    systems.insert(r.system);
    workloads.insert(r.workload);
    faults.insert(r.faults.begin(), r.faults.end());
    ++verdicts[r.state == "finished" ? r.verdict : r.state];
    if (matches(r, f, name_lc)) hits.push_back(&r);
  }
  auto key_less = [&](const RunSummary* a, const RunSummary* b) {
    const std::string& k = f.sort;
    if (k == "name") return a->name < b->name;
    if (k == "system") return a->system < b->system;
    if (k == "workload") return a->workload < b->workload;
    if (k == "duration") return a->duration_s < b->duration_s;
    if (k == "operations") return a->operations < b->operations;
    if (k == "verdict") return a->verdict < b->verdict;
    if (k == "lost") return a->lost < b->lost;
    if (k == "seed") return a->seed.value_or(0) < b->seed.value_or(0);
    return a->started_utc < b->started_utc;
  };
  // Stable on the id: equal keys keep one order from page to page.
  std::sort(hits.begin(), hits.end(), [&](const RunSummary* a, const RunSummary* b) {
    if (key_less(a, b)) return !f.descending;
    if (key_less(b, a)) return f.descending;
    return f.descending ? a->id > b->id : a->id < b->id;
  });
  const size_t per = std::clamp<size_t>(f.per_page, 1, 500);
  const size_t pages = std::max<size_t>(1, (hits.size() + per - 1) / per);
  const size_t page = std::clamp<size_t>(f.page, 1, pages);
  nlohmann::json runs = nlohmann::json::array();
  for (size_t i = (page - 1) * per; i < std::min(hits.size(), page * per); ++i) runs.push_back(hits[i]->to_json());
  systems.erase("");
  workloads.erase("");
  return {{"total", s.runs.size()},
          {"matched", hits.size()},
          {"page", page},
          {"per_page", per},
          {"pages", pages},
          {"generation", s.generation},
          {"runs", runs},
          {"facets", {{"systems", systems}, {"workloads", workloads}, {"faults", faults}, {"verdicts", verdicts}}}};
}

}  // namespace eclat::serve
