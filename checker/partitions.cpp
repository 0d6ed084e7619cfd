// partitions: a picture of every partition applied, drawn with Graphviz's
// library (libgvc, circo layout) as partition-<n>.svg in the run directory:
// every host of the grudge as a node, the isolated host filled, each cut link
// a red dashed edge (an arrow when only one direction is dropped: it points
// the way the dropped packets travel), links left intact thin and grey; the
// title says when it started and ended and what was isolated.
//
// A grudge is Jepsen's: {"n1": ["n2", "n3"]} means n1 drops what n2 and n3
// send it. Eclat's partition fault records both directions.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <set>

#include "checker/checker.hpp"
#include "checker/graphviz_render.hpp"
#include "checker/report_ops.hpp"

namespace eclat {
namespace {

namespace fs = std::filesystem;
using namespace report;

std::string dot_id(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Host names in natural order: n2 before n10.
bool natural_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (isdigit(static_cast<unsigned char>(a[i])) && isdigit(static_cast<unsigned char>(b[j]))) {
      size_t i2 = i, j2 = j;
      while (i2 < a.size() && isdigit(static_cast<unsigned char>(a[i2]))) ++i2;
      while (j2 < b.size() && isdigit(static_cast<unsigned char>(b[j2]))) ++j2;
      std::string x = a.substr(i, i2 - i), y = b.substr(j, j2 - j);
      x.erase(0, std::min(x.find_first_not_of('0'), x.size()));
      y.erase(0, std::min(y.find_first_not_of('0'), y.size()));
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      i = i2, j = j2;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i, ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

std::string seconds(int64_t ns) {
  char b[32];
  snprintf(b, sizeof b, "%.2f s", ns / 1e9);
  return b;
}

struct Picture {
  std::string dot;
  std::string description;  // "n1 isolated", "{n1, n2} | {n3, o1}", ...
  size_t cut = 0, one_way = 0;
};

Picture describe(const nlohmann::json& value, int number, int64_t start, int64_t end, bool open, bool ended) {
  const nlohmann::json& grudge = value["grudge"];
  auto less = [](const std::string& a, const std::string& b) { return natural_less(a, b); };
  std::set<std::string, decltype(less)> hosts(less);
  std::set<std::pair<std::string, std::string>> dropped;  // (from, to): packets from -> to are dropped
  for (const auto& [to, froms] : grudge.items()) {
    hosts.insert(to);
    if (!froms.is_array()) continue;
    for (const auto& from : froms) {
      if (!from.is_string()) continue;
      hosts.insert(from.get<std::string>());
      dropped.insert({from.get<std::string>(), to});
    }
  }
  const std::string isolated = value.contains("isolated") && value["isolated"].is_string() ? value["isolated"].get<std::string>() : "";
  std::vector<std::string> hs(hosts.begin(), hosts.end());

  Picture p;
  // Which hosts can still talk (both ways): the sides of the partition.
  std::map<std::string, std::string> parent;
  for (const auto& x : hs) parent[x] = x;
  std::function<std::string(const std::string&)> root = [&](const std::string& x) {
    return parent[x] == x ? x : parent[x] = root(parent[x]);
  };
  std::string edges;
  for (size_t i = 0; i < hs.size(); ++i) {
    for (size_t j = i + 1; j < hs.size(); ++j) {
      const std::string &a = hs[i], &b = hs[j];
      const bool ab = dropped.count({a, b}), ba = dropped.count({b, a});
      if (!ab && !ba) {
        edges += "  " + dot_id(a) + " -> " + dot_id(b) + " [dir=none, color=\"#9a9a9a\", penwidth=1];\n";
        parent[root(a)] = root(b);
      } else if (ab && ba) {
        ++p.cut;
        edges += "  " + dot_id(a) + " -> " + dot_id(b) +
                 " [dir=none, color=\"#d62728\", style=dashed, penwidth=2.2, tooltip=\"cut both ways\"];\n";
      } else {
        ++p.cut, ++p.one_way;
        const std::string& from = ab ? a : b;
        const std::string& to = ab ? b : a;
        edges += "  " + dot_id(from) + " -> " + dot_id(to) + " [color=\"#d62728\", style=dashed, penwidth=2.2, arrowsize=1.1, tooltip=\"" +
                 from + " to " + to + " dropped (one way)\"];\n";
      }
    }
  }
  if (!isolated.empty()) {
    p.description = isolated + " isolated";
  } else {
    std::map<std::string, std::vector<std::string>> sides;
    for (const auto& x : hs) sides[root(x)].push_back(x);
    if (sides.size() > 1) {
      std::vector<std::string> parts;
      for (auto& [_, members] : sides) {
        std::string s;
        for (const auto& m : members) s += (s.empty() ? "" : ", ") + m;
        parts.push_back("{" + s + "}");
      }
      std::sort(parts.begin(), parts.end());
      for (const auto& s : parts) p.description += (p.description.empty() ? "" : " | ") + s;
    } else {
      p.description = std::to_string(p.cut) + " links cut, every host still reachable";
    }
  }
  std::string title = "partition " + std::to_string(number) + " at " + seconds(start) + ": " + p.description;
  std::string sub = ended ? (open ? "still active at the end of the history" : "healed at " + seconds(end)) : "";
  sub += std::string(sub.empty() ? "" : "; ") + std::to_string(p.cut) + " of " + std::to_string(hs.size() * (hs.size() - 1) / 2) +
         " links cut" + (p.one_way ? " (" + std::to_string(p.one_way) + " one way: the arrow shows the dropped direction)" : "");
  if (value.contains("mechanism") && value["mechanism"].is_string()) sub += "; drop by " + value["mechanism"].get<std::string>();

  p.dot = "digraph partition {\n  graph [label=" + dot_id(title + "\n" + sub + "\nred dashed: cut link   grey: intact link") +
          ", labelloc=t, fontname=\"DejaVu Sans\", fontsize=13, pad=0.3, nodesep=0.6, mindist=1.4];\n"
          "  node [shape=circle, style=filled, fillcolor=\"#eef3fb\", color=\"#3a5a8c\", fontname=\"DejaVu Sans\", fontsize=12, width=0.6, fixedsize=true];\n";
  for (const auto& x : hs) {
    p.dot += "  " + dot_id(x);
    if (x == isolated) p.dot += " [fillcolor=\"#f8c9c9\", color=\"#b22222\", penwidth=2]";
    p.dot += ";\n";
  }
  p.dot += edges + "}\n";
  return p;
}

class Partitions : public Checker {
 public:
  CheckResult check(const CheckContext& ctx) const override {
    CheckResult r;
    const History& h = ctx.history.ops();
    // When each partition ended: its fault interval (matched by the start op).
    std::map<size_t, FaultInterval> interval;
    for (const FaultInterval& f : fault_intervals(h)) interval[f.start_op] = f;
    nlohmann::json files = nlohmann::json::array(), parts = nlohmann::json::array();
    int number = 0;
    int64_t last_invoke = 0;
    for (size_t i = 0; i < h.size(); ++i) {
      const Op& op = h[i];
      if (!op.is_nemesis()) continue;
      if (op.type == OpType::invoke) {
        last_invoke = op.time;
        continue;
      }
      if (op.f.rfind("start-", 0) != 0 || !op.value.is_object() || !op.value.contains("grudge") || !op.value["grudge"].is_object())
        continue;
      ++number;
      auto it = interval.find(i);
      const bool known = it != interval.end();
      const int64_t start = known ? it->second.start : last_invoke;
      Picture p = describe(op.value, number, start, known ? it->second.end : 0, known && it->second.open, known);
      const fs::path out = ctx.out_dir / ("partition-" + std::to_string(number) + ".svg");
      std::string error;
      if (!render_dot_svg(p.dot, "circo", out, error)) {
        r.valid = Verdict::unknown;
        r.details["files"] = files;
        r.details["error"] = "cannot draw " + out.string() + ": " + error;
        r.summary = "cannot draw partition " + std::to_string(number) + ": " + error;
        return r;
      }
      files.push_back(out.string());
      parts.push_back({{"file", out.string()}, {"start_s", start / 1e9}, {"what", p.description}, {"cut_links", p.cut},
                       {"one_way", p.one_way}});
    }
    r.valid = Verdict::valid;
    r.details["files"] = files;
    r.details["partitions"] = parts;
    r.summary = number ? std::to_string(number) + " partition pictures" : "no partition applied";
    return r;
  }
};

const bool registered = register_checker({.name = "partitions", .doc = "a Graphviz picture of each partition (who could not hear whom)", .draws = true},
                                          [] { return std::make_unique<Partitions>(); });

}  // namespace
}  // namespace eclat
