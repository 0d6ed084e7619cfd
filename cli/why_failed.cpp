#include "cli/why_failed.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

#include "checker/report_ops.hpp"
#include "cluster/system.hpp"
#include "history/verdict.hpp"

namespace eclat {
namespace {

namespace fs = std::filesystem;

constexpr size_t kSample = 10;  // elements, errors or operations listed by name

std::string fmt_s(double s) {
  char b[32];
  snprintf(b, sizeof b, "%.2f", s);
  return b;
}

std::string fmt_ms(const nlohmann::json& v) {
  if (!v.is_number()) return "never";
  char b[32];
  snprintf(b, sizeof b, "%.1f", v.get<double>());
  return b;
}

// One fault's time on, in the history's run-relative seconds (the
// report's fault intervals: from a start's completion to its stop or heal).
struct FaultSpan {
  std::string name;
  double from = 0, to = 1e300;  // to: still on at the end
  const std::string& label() const { return name; }
};

std::vector<FaultSpan> fault_spans(const History& h) {
  std::vector<FaultSpan> spans;
  for (const auto& f : report::fault_intervals(h))
    spans.push_back({f.label, static_cast<double>(f.start) / 1e9, f.open ? 1e300 : static_cast<double>(f.end) / 1e9});
  return spans;
}

// Where an acknowledgement falls among the faults: during one; else before
// the next one (a write acknowledged, then lost when a node died, is the
// common story); else after the last one ended. `exact` adds the distance
// ("1.57 s before kill n1"); without it the words group elements.
std::string relation(double t, const std::vector<FaultSpan>& spans, bool exact) {
  std::string during;
  const FaultSpan *next = nullptr, *last = nullptr;
  for (const auto& s : spans) {
    if (s.from <= t && t <= s.to) during += (during.empty() ? "" : ", ") + s.label();
    else if (s.from > t && (!next || s.from < next->from)) next = &s;
    else if (s.to < t && (!last || s.to > last->to)) last = &s;
  }
  if (!during.empty()) return "during " + during;
  if (next) return (exact ? fmt_s(next->from - t) + " s " : std::string()) + "before " + next->label();
  if (last) return (exact ? fmt_s(t - last->to) + " s " : std::string()) + "after " + last->label() + " ended";
  return "in a run without faults";
}

std::string element_key(const nlohmann::json& e) { return e.is_string() ? e.get<std::string>() : e.dump(); }

nlohmann::json lost_evidence(const nlohmann::json& c, const std::vector<FaultSpan>& spans, const System* system) {
  nlohmann::json ev = nlohmann::json::object();
  ev["lost_count"] = c.value("lost_count", 0);
  const nlohmann::json detail = c.value("lost_detail", nlohmann::json::array());
  std::map<std::string, nlohmann::json> by_shard;  // "3" -> {shard, owners, lost, sample}
  std::map<std::string, int64_t> around;
  nlohmann::json first = nlohmann::json::array();
  for (const auto& d : detail) {
    const nlohmann::json& e = d.contains("element") ? d["element"] : nlohmann::json();
    std::optional<double> ack;
    if (d.contains("acknowledged_ns") && d["acknowledged_ns"].is_number()) ack = d["acknowledged_ns"].get<double>() / 1e9;
    const std::string rel = ack ? relation(*ack, spans, false) : "at an unknown time";
    ++around[rel];
    nlohmann::json place = system ? system->placement(element_key(e)) : nlohmann::json();
    if (place.is_object() && place.contains("shard")) {
      auto& g = by_shard[place["shard"].dump()];
      if (g.is_null()) g = {{"shard", place["shard"]}, {"owners", place.value("owners", nlohmann::json::array())},
                           {"lost", 0}, {"elements", nlohmann::json::array()}};
      g["lost"] = g["lost"].get<int64_t>() + 1;
      if (g["elements"].size() < kSample) g["elements"].push_back(e);
    }
    if (first.size() < kSample) {
      nlohmann::json f = {{"element", e}, {"acknowledged_s", ack ? nlohmann::json(*ack) : nlohmann::json()},
                          {"relation", ack ? relation(*ack, spans, true) : rel}};
      if (place.is_object()) f["placement"] = place;
      first.push_back(f);
    }
  }
  nlohmann::json shards = nlohmann::json::array();
  for (auto& [_, g] : by_shard) shards.push_back(g);
  std::sort(shards.begin(), shards.end(), [](const auto& a, const auto& b) { return a["lost"] > b["lost"]; });
  if (!shards.empty()) ev["by_shard"] = shards;
  nlohmann::json ar = nlohmann::json::array();
  for (const auto& [rel, n] : around) ar.push_back({{"when", rel}, {"lost", n}});
  std::sort(ar.begin(), ar.end(), [](const auto& a, const auto& b) { return a["lost"] > b["lost"]; });
  ev["around_faults"] = ar;
  ev["first"] = first;
  if (detail.size() < ev["lost_count"].get<size_t>())
    ev["note"] = "placement and timing of the first " + std::to_string(detail.size()) + " lost elements";
  return ev;
}

nlohmann::json counterexample_evidence(const nlohmann::json& c, const fs::path& run_dir,
                                      const std::vector<FaultSpan>& spans) {
  nlohmann::json ev = nlohmann::json::object();
  nlohmann::json cx = c.value("counterexample", nlohmann::json());
  if (!cx.is_object()) return ev;
  // Each operation set against the faults around its invocation.
  if (cx.contains("operations") && cx["operations"].is_array() && !spans.empty())
    for (auto& op : cx["operations"])
      if (op.contains("invoked_ms") && op["invoked_ms"].is_number())
        op["faults"] = relation(op["invoked_ms"].get<double>() / 1e3, spans, true);
  ev["counterexample"] = cx;
  nlohmann::json drawings = nlohmann::json::array();
  for (const char* k : {"svg", "timeline_svg"})
    if (cx.contains(k) && cx[k].is_string()) drawings.push_back(cx[k]);
  ev["drawings"] = drawings;
  if (!run_dir.empty() && fs::exists(run_dir / "timeline.html")) {
    std::string link = (run_dir / "timeline.html").string() + "#highlight=counterexample";
    const auto ops = cx.value("operations", nlohmann::json::array());
    if (!ops.empty() && ops[0].contains("index")) link += "&op=" + ops[0]["index"].dump();
    ev["timeline"] = link;
  }
  return ev;
}

// The commonest client errors, grouped by their code (the text before the
// first ':', "miroir_no_quorum") when they have one, with one example each.
nlohmann::json top_errors(const History& h) {
  std::map<std::string, std::pair<int64_t, std::string>> count;  // code -> (count, example)
  for (const Op& op : h) {
    if (op.is_nemesis() || op.type == OpType::invoke || op.error.empty()) continue;
    const size_t colon = op.error.find(':');
    const std::string code = colon != std::string::npos && colon <= 40 ? op.error.substr(0, colon) : op.error.substr(0, 100);
    auto& c = count[code];
    if (c.first++ == 0) c.second = op.error.size() > 160 ? op.error.substr(0, 160) + "..." : op.error;
  }
  std::vector<std::pair<int64_t, std::string>> v;
  for (const auto& [code, c] : count) v.push_back({c.first, code});
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < v.size() && i < 5; ++i)
    out.push_back({{"error", v[i].second}, {"count", v[i].first}, {"example", count[v[i].second].second}});
  return out;
}

}  // namespace

nlohmann::json why_failed(const WhyInput& in) {
  const Verdict overall = verdict_from_json(in.results.value("valid", nlohmann::json("unknown")));
  if (overall == Verdict::valid) return nullptr;
  nlohmann::json why;
  why["verdict"] = verdict_word(overall);
  const auto spans = fault_spans(in.history);
  nlohmann::json failing = nlohmann::json::array();
  nlohmann::json unknown = nlohmann::json::array();
  const nlohmann::json checkers = in.results.value("checkers", nlohmann::json::object());
  for (const auto& [name, c] : checkers.items()) {
    const Verdict v = verdict_from_json(c.value("valid", nlohmann::json("unknown")));
    if (v == Verdict::valid) continue;
    const std::string summary = c.value("summary", "");
    if (v == Verdict::unknown) {
      unknown.push_back(name + ": " + summary);
      continue;
    }
    nlohmann::json f = {{"checker", name}, {"summary", summary}};
    if (c.contains("counterexample")) f.update(counterexample_evidence(c, in.run_dir, spans));
    if (c.contains("lost_detail") && c.value("lost_count", 0) > 0) {
      f.update(lost_evidence(c, spans, in.system));
      if (!in.run_dir.empty() && fs::exists(in.run_dir / "timeline.html"))
        f["timeline"] = (in.run_dir / "timeline.html").string() + "#highlight=lost";
    }
    // Other checkers: their named samples, as they wrote them.
    for (const char* k : {"lost_sample", "unexpected", "duplicated", "failed_but_present", "stale", "differing"})
      if (c.contains(k) && c[k].is_array() && !c[k].empty() && !f.contains(k)) {
        nlohmann::json s = nlohmann::json::array();
        for (size_t i = 0; i < c[k].size() && i < kSample; ++i) s.push_back(c[k][i]);
        f[k] = s;
      }
    failing.push_back(f);
  }
  why["checkers"] = failing;
  if (in.results.contains("error") && in.results["error"].is_string()) unknown.push_back(in.results["error"]);
  if (!unknown.empty()) why["unknown_because"] = unknown;
  const nlohmann::json errors = top_errors(in.history);
  if (!errors.empty()) why["errors"] = errors;
  nlohmann::json faults = nlohmann::json::array();
  for (const auto& s : spans)
    faults.push_back({{"fault", s.label()}, {"from_s", s.from}, {"to_s", s.to < 1e300 ? nlohmann::json(s.to) : nlohmann::json()}});
  why["faults"] = faults;
  why["reproduce"] = in.reproduce;
  return why;
}

std::string why_failed_text(const nlohmann::json& why) {
  if (!why.is_object()) return {};
  std::string o = "why it is " + why.value("verdict", std::string("unknown")) + ":\n";
  for (const auto& f : why.value("checkers", nlohmann::json::array())) {
    o += "  " + f.value("checker", "") + ": " + f.value("summary", "") + "\n";
    if (f.contains("counterexample")) {
      const auto& cx = f["counterexample"];
      const auto ops = cx.value("operations", nlohmann::json::array());
      o += "    counterexample in " + cx.value("part", std::string("?")) + ", " + std::to_string(ops.size()) +
           " operations (of " + cx.value("original_operations", nlohmann::json(0)).dump() + "):\n";
      char line[512];
      snprintf(line, sizeof line, "      %-3s %-8s %-11s %-11s %-10s %s\n", "#", "process", "invoked ms", "returned ms",
               "outcome", "operation");
      o += line;
      for (const auto& op : ops) {
        std::string outcome = op.value("outcome", std::string("?"));
        const std::string hist = op.value("history_outcome", outcome);
        if (outcome != hist) outcome += " (" + hist + " in the history)";
        snprintf(line, sizeof line, "      %-3s %-8s %-11s %-11s %-10s %s\n", op.value("n", nlohmann::json(0)).dump().c_str(),
                 op.value("process", nlohmann::json(0)).dump().c_str(), fmt_ms(op.value("invoked_ms", nlohmann::json())).c_str(),
                 fmt_ms(op.value("returned_ms", nlohmann::json())).c_str(), outcome.c_str(),
                 op.value("op", std::string()).c_str());
        o += line;
        if (op.contains("faults")) o += "          invoked " + op["faults"].get<std::string>() + "\n";
      }
      if (cx.contains("why") && cx.contains("stuck") && cx["stuck"].is_number() && cx["stuck"].get<int64_t>() >= 0)
        o += "    cannot place #" + cx["stuck"].dump() + ": " + cx["why"].get<std::string>() + "\n";
      for (const auto& d : f.value("drawings", nlohmann::json::array())) o += "    drawing: " + d.get<std::string>() + "\n";
    }
    if (f.contains("by_shard")) {
      std::string s;
      size_t shown = 0;
      for (const auto& g : f["by_shard"]) {
        if (shown++ == 5) {
          s += ", ...";
          break;
        }
        std::string owners;
        for (const auto& n : g.value("owners", nlohmann::json::array())) owners += (owners.empty() ? "" : ", ") + n.get<std::string>();
        s += (s.empty() ? "" : "; ") + std::string("shard ") + g["shard"].dump() + " (owners " + owners + "): " +
             g["lost"].dump() + " lost";
      }
      o += "    by shard: " + s + "\n";
    }
    if (f.contains("around_faults")) {
      std::string s;
      for (const auto& a : f["around_faults"]) s += (s.empty() ? "" : "; ") + a["lost"].dump() + " " + a.value("when", "");
      o += "    acknowledged: " + s + "\n";
    }
    if (f.contains("first")) {
      o += "    first lost:\n";
      size_t shown = 0;
      for (const auto& e : f["first"]) {
        if (shown++ == 5) break;
        o += "      " + e["element"].dump();
        if (e.contains("acknowledged_s") && e["acknowledged_s"].is_number())
          o += " acknowledged at " + fmt_s(e["acknowledged_s"].get<double>()) + " s, " + e.value("relation", "");
        if (e.contains("placement") && e["placement"].contains("shard")) o += " (shard " + e["placement"]["shard"].dump() + ")";
        o += "\n";
      }
      if (f.contains("note")) o += "    (" + f["note"].get<std::string>() + ")\n";
    }
    for (const char* k : {"lost_sample", "unexpected", "duplicated", "failed_but_present", "stale", "differing"})
      if (f.contains(k)) o += std::string("    ") + k + ": " + f[k].dump() + "\n";
    if (f.contains("timeline")) o += "    timeline: " + f["timeline"].get<std::string>() + "\n";
  }
  for (const auto& u : why.value("unknown_because", nlohmann::json::array())) o += "  unknown: " + u.get<std::string>() + "\n";
  if (why.contains("faults") && !why["faults"].empty()) {
    std::string s;
    for (const auto& f : why["faults"]) {
      s += (s.empty() ? "" : "; ") + f.value("fault", "") + " " + fmt_s(f["from_s"].get<double>()) + "–" +
           (f["to_s"].is_number() ? fmt_s(f["to_s"].get<double>()) : std::string("end")) + " s";
    }
    o += "  faults (run seconds): " + s + "\n";
  }
  if (why.contains("errors")) {
    std::string s;
    o += "  commonest errors:\n";
    for (const auto& e : why["errors"])
      o += "    " + e["count"].dump() + "× " + e["error"].get<std::string>() + " (e.g. " + e.value("example", "") + ")\n";
  }
  const auto rep = why.value("reproduce", nlohmann::json::array());
  for (size_t i = 0; i < rep.size(); ++i) o += std::string(i ? "           " : "  reproduce: ") + rep[i].get<std::string>() + "\n";
  return o;
}

}  // namespace eclat
