// timeline: timeline.html, one self-contained page (inline CSS and script, no
// network) showing the history as Jepsen's timeline does: a column per
// process, time flowing down, each operation a bar from its invocation to its
// completion coloured by outcome; fault intervals as bands across the
// columns and on an overview strip across the top; hover for details.
//
// Every operation is embedded, however long the history: as columnar arrays
// (delta-encoded times in microseconds, small integer codes), about 25 bytes
// an operation. The page draws on a canvas only what is in view, so a
// 1,000,000-operation history opens and draws its first screen in about a
// second. Only values longer than kValueMax characters (whole-set reads) are
// abbreviated in the hover text; history.jsonl has them in full.
//
// As a debugging tool: the page outlines what the verdict checkers found
// (run_checkers runs timeline after them and passes ctx.findings): the
// operations of the linearizability counterexample and the add/write
// operations of lost elements, listed in the header with a link to each.
// A toolbar filters by key, process, f, type and value (substring); the
// other operations are dimmed, the count shown. Labels carry the key.
//
// The address's fragment says what is shown and follows the page, so that a
// link (in a bug report, from `eclat check`) opens the same view; setting it
// later applies it too. Fields, '&'-separated, each optional:
//   key=K          operations on key K only
//   process=P      process P ("nemesis" for the nemesis)
//   f=F            operations named F (write, read, add, start-kill...)
//   type=T         ok | fail | info | pending
//   value=S        whose value's text contains S
//   highlight=H    only the highlighted: counterexample, lost, or both as
//                  counterexample|lost
//   op=N           select the operation whose invocation (or completion) is
//                  history index N, and scroll to it
//   t=S            run-relative second S a tenth of the way down the view
//   zoom=Z         Z times the opening scale
//   compact=0|1    one column per process, or processes sharing lanes
// e.g. timeline.html#key=25&t=5.4, #op=1234, #f=write&type=info. With a
// filter and no t or op, the page scrolls to the first match unless one is
// in view. window.timelineState() says what the page shows (for the console
// and for tests/report_timeline_browser_test.cpp).
#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <unordered_map>

#include "checker/checker.hpp"
#include "checker/report_ops.hpp"
#include "generator/fault_package.hpp"

namespace eclat {
namespace {

namespace fs = std::filesystem;
using namespace report;

constexpr size_t kValueMax = 200;

// A JSON string literal that is also safe inside <script>: "</" cannot end
// the element; invalid UTF-8 is replaced rather than refused.
void append_string(std::string& out, const std::string& s) {
  std::string j = nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  size_t from = 0;
  for (size_t at; (at = j.find("</", from)) != std::string::npos; from = at + 2) {
    out.append(j, from, at - from);
    out += "<\\/";
  }
  out.append(j, from, std::string::npos);
}

void append_int(std::string& out, int64_t v) {
  char b[24];
  auto [end, ec] = std::to_chars(b, b + sizeof b, v);
  out.append(b, end);
}

// An operation's value for the page: integers as numbers (the common case,
// compact), anything else as its JSON text, abbreviated past kValueMax.
void append_value(std::string& out, const nlohmann::json& v) {
  if (v.is_null()) {
    out += "null";
    return;
  }
  if (v.is_number_integer()) {
    int64_t i = v.get<int64_t>();
    if (i > -(int64_t(1) << 53) && i < (int64_t(1) << 53)) {  // exact in a JS number
      append_int(out, i);
      return;
    }
  }
  std::string text = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > kValueMax) {
    std::string more = v.is_array() || v.is_object() ? std::to_string(v.size()) + " elements, " : "";
    text = text.substr(0, kValueMax - 40) + " … (" + more + std::to_string(text.size()) + " characters in all)";
  }
  append_string(out, text);
}

// Interns strings (f, errors, keys) as small integer codes.
struct Table {
  std::unordered_map<std::string, int64_t> code;
  std::vector<std::string> names;
  int64_t operator()(const std::string& s) {
    auto [it, fresh] = code.emplace(s, static_cast<int64_t>(names.size()));
    if (fresh) names.push_back(s);
    return it->second;
  }
  void append(std::string& out) const {
    out += '[';
    for (size_t i = 0; i < names.size(); ++i) {
      if (i) out += ',';
      append_string(out, names[i]);
    }
    out += ']';
  }
};

extern const char* const kPageHead;
extern const char* const kPageScript;

// What the verdict checkers found, as positions in `spans`: the operations of
// the linearizability counterexample (by the history index of their
// invocation) and the add/write operations of lost elements (by value: a
// lost element is a value added or written, acknowledged, missing at the end).
struct Highlights {
  std::vector<int64_t> counterexample, lost;
};
Highlights find_highlights(const nlohmann::json* findings, const History& h, const std::vector<Span>& spans) {
  Highlights out;
  if (!findings || !findings->is_object()) return out;
  std::unordered_map<int64_t, int64_t> by_index;  // history index of the first event -> span
  for (size_t i = 0; i < spans.size(); ++i) {
    const Span& s = spans[i];
    by_index.emplace(h[s.invoke != Span::npos ? s.invoke : s.complete].index, static_cast<int64_t>(i));
  }
  if (auto lin = findings->find("linearizable"); lin != findings->end() && lin->is_object())
    if (auto ce = lin->find("counterexample"); ce != lin->end() && ce->is_object())
      if (auto ops = ce->find("operations"); ops != ce->end() && ops->is_array())
        for (const auto& op : *ops)
          if (op.is_object() && op.contains("index") && op["index"].is_number_integer())
            if (auto it = by_index.find(op["index"].get<int64_t>()); it != by_index.end()) out.counterexample.push_back(it->second);
  std::vector<std::string> lost;  // the values' JSON text, to compare with the operations'
  for (const auto& c : *findings)  // any checker's "lost": set-full, lost-writes
    if (c.is_object())
      if (auto l = c.find("lost"); l != c.end() && l->is_array())
        for (const auto& v : *l) lost.push_back(v.dump());
  if (!lost.empty()) {
    std::sort(lost.begin(), lost.end());
    for (size_t i = 0; i < spans.size(); ++i) {
      const Span& s = spans[i];
      if (s.process == kNemesisProcess || s.invoke == Span::npos) continue;
      const Op& inv = h[s.invoke];
      if (inv.f != "add" && inv.f != "write") continue;
      if (std::binary_search(lost.begin(), lost.end(), inv.value.dump())) out.lost.push_back(static_cast<int64_t>(i));
    }
  }
  for (auto* v : {&out.counterexample, &out.lost}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  return out;
}

class Timeline : public Checker {
 public:
  bool wants_findings() const override { return true; }
  CheckResult check(const CheckContext& ctx) const override {
    CheckResult r;
    const History& h = ctx.history.ops();
    const std::vector<Span> spans = pair_operations(h, true);
    const std::vector<FaultInterval> faults = fault_intervals(h);

    // Columns: the nemesis first, then processes in numeric order.
    std::map<int64_t, int64_t> column;
    for (const Span& s : spans) column.emplace(s.process, 0);
    nlohmann::json cols = nlohmann::json::array();
    {
      int64_t c = 0;
      for (auto& [p, code] : column) {
        code = c++;
        cols.push_back(p == kNemesisProcess ? std::string("nemesis") : std::to_string(p));
      }
    }

    Table fs_, errs, keys;
    errs("");
    bool any_key = false;
    for (const Span& s : spans) {
      const Op& any = s.invoke != Span::npos ? h[s.invoke] : h[s.complete];
      if (any.key) any_key = true;
    }
    const size_t n = spans.size();
    std::string p, st, d, o, f, v, e, k, a, b, orphans;
    for (auto* col : {&p, &st, &d, &o, &f, &e, &k, &a, &b}) col->reserve(n * 4);
    v.reserve(n * 8);
    int64_t prev_start = 0, prev_index = 0;
    size_t client_ops = 0;
    for (size_t i = 0; i < n; ++i) {
      const Span& s = spans[i];
      const Op& first = s.invoke != Span::npos ? h[s.invoke] : h[s.complete];
      const Op* done = s.complete != Span::npos ? &h[s.complete] : nullptr;
      if (s.process != kNemesisProcess) ++client_ops;
      const char* sep = i ? "," : "";
      p += sep, append_int(p, column[s.process]);
      const int64_t start_us = s.start / 1000;
      st += sep, append_int(st, start_us - prev_start);
      prev_start = start_us;
      d += sep, append_int(d, done ? s.end / 1000 - start_us : -1);
      o += sep, append_int(o, static_cast<int64_t>(s.outcome));
      f += sep, append_int(f, fs_(first.f));
      v += sep, append_value(v, done && !done->value.is_null() ? done->value : first.value);
      const std::string& err = done ? done->error : first.error;
      e += sep, append_int(e, errs(err));
      if (any_key) k += sep, append_int(k, first.key ? keys(*first.key) : -1);
      a += sep, append_int(a, first.index - prev_index);
      prev_index = first.index;
      b += sep, append_int(b, done ? done->index - first.index : -1);
      if (s.invoke == Span::npos) orphans += (orphans.empty() ? "" : ","), append_int(orphans, static_cast<int64_t>(i));
    }

    std::string name = ctx.scenario.is_object() && ctx.scenario.contains("name") && ctx.scenario["name"].is_string()
                           ? ctx.scenario["name"].get<std::string>()
                           : std::string("history");
    std::string seed;
    if (ctx.scenario.is_object() && ctx.scenario.contains("seed") && !ctx.scenario["seed"].is_null())
      seed = ctx.scenario["seed"].is_string() ? ctx.scenario["seed"].get<std::string>() : ctx.scenario["seed"].dump();
    const Highlights hl = find_highlights(ctx.findings, h, spans);
    std::string data;
    data.reserve(p.size() + st.size() + d.size() + o.size() + f.size() + v.size() + e.size() + k.size() + a.size() + b.size() + 4096);
    data += "{\"name\":";
    append_string(data, name);
    data += ",\"seed\":";
    append_string(data, seed);
    data += ",\"hl\":{\"counterexample\":[";
    for (size_t i = 0; i < hl.counterexample.size(); ++i) data += (i ? "," : ""), append_int(data, hl.counterexample[i]);
    data += "],\"lost\":[";
    for (size_t i = 0; i < hl.lost.size(); ++i) data += (i ? "," : ""), append_int(data, hl.lost[i]);
    data += "]}";
    data += ",\"n\":";
    append_int(data, static_cast<int64_t>(n));
    data += ",\"client\":";
    append_int(data, static_cast<int64_t>(client_ops));
    data += ",\"end\":";
    append_int(data, history_end(h) / 1000);
    data += ",\"cols\":";
    data += cols.dump();
    data += ",\"fs\":";
    fs_.append(data);
    data += ",\"errs\":";
    errs.append(data);
    data += ",\"keys\":";
    keys.append(data);
    data += ",\"faults\":[";
    for (size_t i = 0; i < faults.size(); ++i) {
      const FaultInterval& fi = faults[i];
      if (i) data += ',';
      data += "{\"f\":";
      append_string(data, fi.fault);
      data += ",\"l\":";
      append_string(data, fi.label);
      data += ",\"s\":";
      append_int(data, fi.start / 1000);
      data += ",\"e\":";
      append_int(data, fi.end / 1000);
      data += fi.open ? ",\"open\":true}" : ",\"open\":false}";
    }
    data += "],\"fcol\":{";  // the fault packages' colours
    const auto colours = gen::fault_colours();
    for (size_t i = 0; i < colours.size(); ++i) {
      if (i) data += ',';
      append_string(data, colours[i].first);
      data += ':';
      append_string(data, colours[i].second);
    }
    data += "},\"orphans\":[" + orphans + "]";
    auto column_ = [&](const char* key, const std::string& values) {
      data += ",\"";
      data += key;
      data += "\":[";
      data += values;
      data += ']';
    };
    column_("p", p), column_("s", st), column_("d", d), column_("o", o), column_("f", f), column_("v", v);
    column_("e", e), column_("a", a), column_("b", b);
    if (any_key) column_("k", k);
    data += '}';

    const fs::path out = ctx.out_dir / "timeline.html";
    {
      std::ofstream html(out, std::ios::binary | std::ios::trunc);
      std::string head = kPageHead;
      const std::string marker = "@TITLE@";
      head.replace(head.find(marker), marker.size(), markup_escape("timeline: " + name + (seed.empty() ? "" : " (seed " + seed + ")")));
      html << head << "<script id=\"data\" type=\"application/json\">" << data << "</script>\n<script>" << kPageScript
           << "</script>\n</body>\n</html>\n";
      if (!html) {
        r.valid = Verdict::unknown;
        r.details["error"] = "cannot write " + out.string();
        r.summary = "no timeline: cannot write " + out.string();
        return r;
      }
    }
    std::error_code ec;
    r.valid = Verdict::valid;
    r.details["files"] = nlohmann::json::array({out.string()});
    r.details["operations"] = n;
    r.details["client_operations"] = client_ops;
    r.details["processes"] = column.size();
    r.details["bytes"] = fs::file_size(out, ec);
    r.details["highlighted"] = {{"counterexample", hl.counterexample.size()}, {"lost", hl.lost.size()}};
    r.summary = std::to_string(n) + " operations, " + std::to_string(column.size()) + " columns";
    return r;
  }
};

const char* const kPageHead = R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>@TITLE@</title>
<style>
html, body { margin: 0; height: 100%; overflow: hidden; font: 12px/1.35 "DejaVu Sans", system-ui, sans-serif; color: #222; }
#head { padding: 5px 8px 6px; border-bottom: 1px solid #bbb; background: #fafafa; }
#head .row { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 14px; }
#head b { font-size: 13px; }
.chip { display: inline-block; width: 12px; height: 10px; margin-right: 3px; vertical-align: -1px; border: 1px solid rgba(0,0,0,.25); }
button { font: inherit; padding: 0 7px; }
#strip { display: block; width: 100%; height: 24px; margin-top: 5px; cursor: pointer; }
#scroller { position: absolute; left: 0; right: 0; bottom: 0; overflow: auto; }
#inner { position: relative; }
#view { position: sticky; top: 0; left: 0; display: block; }
#tip { position: fixed; display: none; z-index: 5; max-width: 640px; padding: 5px 7px; background: #fffff4; border: 1px solid #888;
       box-shadow: 2px 2px 6px rgba(0,0,0,.2); font: 11px/1.4 "DejaVu Sans Mono", monospace; white-space: pre-wrap; word-break: break-all; pointer-events: none; }
#status { color: #555; }
#tools input { font: inherit; width: 7em; }
#tools select { font: inherit; }
#shown { font-weight: bold; }
.hlchip { display: inline-block; width: 10px; height: 8px; margin-right: 3px; vertical-align: -1px; background: #fff; border: 2px solid; }
#hl { position: relative; }
#hl summary { cursor: pointer; }
#hlist { position: absolute; z-index: 6; left: 0; top: 18px; margin: 0; padding: 4px 6px 4px 26px; max-height: 60vh; overflow: auto; min-width: 420px;
         background: #fff; border: 1px solid #888; box-shadow: 2px 2px 6px rgba(0,0,0,.2); font: 11px/1.5 "DejaVu Sans Mono", monospace; }
#hlist li { cursor: pointer; white-space: nowrap; }
#hlist li:hover { background: #eef; }
#sel { position: fixed; right: 8px; bottom: 8px; z-index: 4; display: none; max-width: 560px; padding: 5px 7px; background: #fff; border: 2px solid #000;
       font: 11px/1.4 "DejaVu Sans Mono", monospace; white-space: pre-wrap; word-break: break-all; }
</style>
</head>
<body>
<div id="head">
  <div class="row">
    <b id="title"></b><span id="counts"></span>
    <span id="legend"></span>
    <span>zoom <button id="zout" title="zoom out (ctrl + wheel)">&minus;</button><button id="zin" title="zoom in (ctrl + wheel)">+</button><button id="zfit" title="the whole run on one screen">whole run</button></span>
    <label title="processes that never overlap in time share a column (a worker continues under a new process after an info)"><input type="checkbox" id="compact"> compact columns</label>
    <span id="status">loading…</span>
  </div>
  <div class="row" id="tools" title="show only the matching operations (the others are dimmed); the page's address follows (#key=25&amp;type=info)">
    <label>key <input id="q-key" list="q-keys" placeholder="any"></label><datalist id="q-keys"></datalist>
    <label>process <input id="q-process" placeholder="any"></label>
    <label>f <input id="q-f" list="q-fs" placeholder="any"></label><datalist id="q-fs"></datalist>
    <label>type <select id="q-type"><option value="">any</option><option>ok</option><option>fail</option><option>info</option><option>pending</option></select></label>
    <label>value contains <input id="q-value" placeholder="any"></label>
    <label>only <select id="q-highlight"><option value="">all operations</option><option value="counterexample|lost">highlighted</option><option value="counterexample">counterexample</option><option value="lost">lost</option></select></label>
    <button id="q-clear">clear</button>
    <span id="shown"></span>
    <details id="hl"><summary id="hlsum"></summary><ol id="hlist"></ol></details>
  </div>
  <canvas id="strip" title="fault intervals over the whole run; the frame is what is in view; click to go there"></canvas>
</div>
<div id="scroller"><div id="inner"><canvas id="view"></canvas></div></div>
<div id="tip"></div>
<div id="sel"></div>
)HTML";

const char* const kPageScript = R"JS(
"use strict";
(function () {
  const tScript = performance.now(); // the page, data included, has been read
  const dataEl = document.getElementById("data");
  const D = JSON.parse(dataEl.textContent);
  const tParsed = performance.now();
  dataEl.remove(); // the parsed arrays are all we need: free the text
  const N = D.n, C = D.cols.length, END = Math.max(D.end, 1);
  const OUT = ["ok", "fail", "info", "pending"];
  const OCOL = ["#6db6fe", "#f77fa5", "#ffaa26", "#c8c8c8"];
  const OEDGE = ["#3a86c8", "#c8466e", "#c97c00", "#8a8a8a"];
  const FCOL = Object.assign({}, D.fcol);
  const PALETTE = ["#8c564b", "#e377c2", "#bcbd22", "#17becf", "#7f7f7f"];
  let np = 0;
  for (const f of D.faults) if (!FCOL[f.f]) FCOL[f.f] = PALETTE[np++ % PALETTE.length];
  const rgba = (hex, a) => "rgba(" + parseInt(hex.slice(1, 3), 16) + "," + parseInt(hex.slice(3, 5), 16) + "," + parseInt(hex.slice(5, 7), 16) + "," + a + ")";

  // Decode the columns: absolute times (µs) and history indices.
  const start = new Float64Array(N), end = new Float64Array(N), idx = new Float64Array(N);
  let t = 0, ix = 0;
  for (let i = 0; i < N; i++) {
    t += D.s[i]; start[i] = t;
    end[i] = D.d[i] < 0 ? END : t + D.d[i];
    ix += D.a[i]; idx[i] = ix;
  }
  const P = D.p, O = D.o, F = D.f, V = D.v, E = D.e, B = D.b, K = D.k;
  const orphan = new Set(D.orphans);

  // What the verdict checkers found (positions in the arrays above): drawn
  // outlined, listed in the header, and a filter of their own.
  const HLKINDS = ["counterexample", "lost"], HLCOL = { counterexample: "#e4002b", lost: "#7b2cbf" };
  const HL = { counterexample: new Set(D.hl.counterexample), lost: new Set(D.hl.lost) };
  const hlAll = [...new Set([...D.hl.counterexample, ...D.hl.lost])].sort((x, y) => start[x] - start[y] || idx[x] - idx[y]);
  const hlKinds = i => HLKINDS.filter(k => HL[k].has(i));

  // The filter (toolbar and address): every field empty matches everything.
  // M[i] = 1 for a matching operation; null when there is no filter.
  const FIELDS = ["key", "process", "f", "type", "value", "highlight"];
  const q = { key: "", process: "", f: "", type: "", value: "", highlight: "" };
  let M = null, nShown = N;
  const normHl = v => HLKINDS.filter(k => v.split(/[|,]/).includes(k) || v === "all" || v === "highlighted").join("|");
  function computeFilter() {
    if (FIELDS.every(k => q[k] === "")) { M = null; nShown = N; return; }
    const code = (names, v) => v === "" ? -2 : names.indexOf(v); // -2: any; -1: nothing matches
    const kc = K ? code(D.keys, q.key) : (q.key === "" ? -2 : -1), pc = code(D.cols, q.process),
          fc = code(D.fs, q.f), tc = code(OUT, q.type), kinds = q.highlight ? q.highlight.split("|") : null;
    M = new Uint8Array(N); nShown = 0;
    if ([kc, pc, fc, tc].includes(-1)) return; // a name no operation has
    for (let i = 0; i < N; i++) {
      if (kc !== -2 && K[i] !== kc) continue;
      if (pc !== -2 && P[i] !== pc) continue;
      if (fc !== -2 && F[i] !== fc) continue;
      if (tc !== -2 && O[i] !== tc) continue;
      if (q.value !== "" && (V[i] === null || !String(V[i]).includes(q.value))) continue;
      if (kinds && !kinds.some(k => HL[k] && HL[k].has(i))) continue;
      M[i] = 1; nShown++;
    }
  }

  // Columns: one per process, or, in the compact layout, processes that never
  // overlap in time share one (a worker continues under a new process id
  // after an info, so a run has many short-lived processes). Per column, its
  // operations in order of invocation (a counting sort keeps the history
  // order) and its longest operation, to find what overlaps the top of the
  // view with one binary search.
  let NC = C, COL = P, colName = [], colStart, colOps, colMax, compact = false;
  const procFirst = new Float64Array(C).fill(Infinity), procLast = new Float64Array(C).fill(-Infinity);
  for (let i = 0; i < N; i++) { const c = P[i]; if (start[i] < procFirst[c]) procFirst[c] = start[i]; if (end[i] > procLast[c]) procLast[c] = end[i]; }
  const procName = c => D.cols[c] === "nemesis" ? "nemesis" : "process " + D.cols[c];
  function buildColumns(compact_) {
    compact = compact_;
    if (!compact) {
      NC = C; COL = P; colName = D.cols.map((_, c) => procName(c));
    } else {
      const first = procFirst, last = procLast;
      const order = [];
      for (let c = 0; c < C; c++) if (first[c] < Infinity) order.push(c);
      const isNem = c => D.cols[c] === "nemesis" ? 0 : 1;
      order.sort((x, y) => isNem(x) - isNem(y) || first[x] - first[y]); // the nemesis leftmost
      const lane = new Int32Array(C), laneEnd = [], laneProcs = [];
      for (const c of order) {
        let l = -1;
        if (D.cols[c] !== "nemesis")
          for (let j = 0; j < laneEnd.length; j++) if (laneProcs[j] !== null && laneEnd[j] < first[c]) { l = j; break; }
        if (l < 0) { l = laneEnd.length; laneEnd.push(0); laneProcs.push(D.cols[c] === "nemesis" ? null : 0); }
        lane[c] = l; laneEnd[l] = last[c]; if (laneProcs[l] !== null) laneProcs[l]++;
      }
      NC = laneEnd.length;
      COL = new Int32Array(N);
      for (let i = 0; i < N; i++) COL[i] = lane[P[i]];
      colName = laneProcs.map((n, l) => n === null ? "nemesis" : "lane " + l + " (" + n + " proc.)");
    }
    colStart = new Int32Array(NC + 1);
    for (let i = 0; i < N; i++) colStart[COL[i] + 1]++;
    for (let c = 0; c < NC; c++) colStart[c + 1] += colStart[c];
    colOps = new Int32Array(N); colMax = new Float64Array(NC);
    const fillAt = colStart.slice(0, NC);
    for (let i = 0; i < N; i++) {
      const c = COL[i];
      colOps[fillAt[c]++] = i;
      if (end[i] - start[i] > colMax[c]) colMax[c] = end[i] - start[i];
    }
    for (let c = 0; c < NC; c++) { // hand-made histories may be out of time order
      let sorted = true;
      for (let k = colStart[c] + 1; k < colStart[c + 1]; k++) if (start[colOps[k]] < start[colOps[k - 1]]) { sorted = false; break; }
      if (!sorted) colOps.subarray(colStart[c], colStart[c + 1]).sort((x, y) => start[x] - start[y]);
    }
  }
  // Where a worker goes on under a new process after each info, a column per
  // process leaves most columns empty at any moment: open compact then (the
  // checkbox switches), each lane still one process at a time.
  let lanes = 0;
  { buildColumns(true); lanes = NC; }
  buildColumns(C > 3 * lanes);
  function firstFrom(c, tmin) { // first position in column c whose invocation is >= tmin
    let lo = colStart[c], hi = colStart[c + 1];
    while (lo < hi) { const m = (lo + hi) >> 1; if (start[colOps[m]] < tmin) lo = m + 1; else hi = m; }
    return lo;
  }

  // Geometry. Time flows down at `scale` px per µs. Browsers cap an
  // element's size (~33M px in Chrome): past MAXPX the scroll position maps
  // proportionally onto the run instead of one to one.
  const GUT = 74, HDR = 22, MAXPX = 12e6;
  const head = document.getElementById("head"), scroller = document.getElementById("scroller"),
        inner = document.getElementById("inner"), view = document.getElementById("view"),
        strip = document.getElementById("strip"), tip = document.getElementById("tip"), status = document.getElementById("status");
  const ctx = view.getContext("2d"), sctx = strip.getContext("2d");
  let scale = 0, baseScale = 0, CW = 110, vw = 0, vh = 0, contentH = 0, contentW = 0;

  function median(xs) { xs.sort((x, y) => x - y); return xs.length ? xs[xs.length >> 1] : 0; }
  function defaultScale() { // the median client operation about 24 px tall
    const xs = [], step = Math.max(1, Math.floor(N / 20000));
    for (let i = 0; i < N; i += step) if (D.cols[P[i]] !== "nemesis" && D.d[i] > 0) xs.push(D.d[i]);
    const m = median(xs) || 1000;
    return clampScale(24 / m);
  }
  function clampScale(s) { return Math.min(2, Math.max(s, (vh - HDR) / (END * 1.02))); }
  const viewT = () => (vh - HDR) / scale; // µs in view
  function topTime() {
    const maxTop = Math.max(0, END * 1.02 - viewT());
    if (contentH <= MAXPX) return Math.min(maxTop, scroller.scrollTop / scale);
    const range = inner.offsetHeight - vh;
    return range > 0 ? scroller.scrollTop / range * maxTop : 0;
  }
  function scrollToTime(t0) {
    const maxTop = Math.max(0, END * 1.02 - viewT());
    t0 = Math.max(0, Math.min(t0, maxTop));
    scroller.scrollTop = contentH <= MAXPX ? t0 * scale : (maxTop > 0 ? t0 / maxTop * (inner.offsetHeight - vh) : 0);
  }
  function leftCol() { // fractional column at the left edge
    const visible = (vw - GUT) / CW, maxLeft = Math.max(0, NC - visible);
    if (contentW <= MAXPX) return Math.min(maxLeft, scroller.scrollLeft / CW);
    const range = inner.offsetWidth - vw;
    return range > 0 ? scroller.scrollLeft / range * maxLeft : 0;
  }
  function layout() {
    scroller.style.top = head.offsetHeight + "px";
    vw = scroller.clientWidth; vh = scroller.clientHeight;
    CW = Math.max(110, Math.min(240, (vw - GUT) / NC));
    if (!scale) scale = baseScale = defaultScale();
    scale = clampScale(scale);
    contentH = HDR + END * 1.02 * scale;
    contentW = GUT + NC * CW;
    inner.style.height = Math.max(vh, Math.min(contentH, MAXPX)) + "px";
    inner.style.width = Math.max(vw, Math.min(contentW, MAXPX)) + "px";
    const dpr = window.devicePixelRatio || 1;
    view.width = Math.round(vw * dpr); view.height = Math.round(vh * dpr);
    view.style.width = vw + "px"; view.style.height = vh + "px";
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    strip.width = Math.round(strip.clientWidth * dpr); strip.height = Math.round(strip.clientHeight * dpr);
    sctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  }

  const fmtS = us => (us / 1e6).toFixed(us < 1e7 ? 4 : 3) + " s";
  const fmtMs = us => us >= 1e6 ? (us / 1e6).toFixed(3) + " s" : (us / 1e3).toFixed(3) + " ms";
  function niceStep(x) { const p = Math.pow(10, Math.floor(Math.log10(x))); for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p; return 10 * p; }
  function short(v, n) { if (v === null || v === undefined) return ""; const s = String(v); return s.length > n ? s.slice(0, n - 1) + "…" : s; }

  let hovered = -1, selected = -1, firstRender = true, lastShown = [];
  function draw() {
    const t0 = topTime(), t1 = t0 + viewT(), c0 = leftCol();
    const Y = t => HDR + (t - t0) * scale, X = c => GUT + (c - c0) * CW;
    ctx.clearRect(0, 0, vw, vh);
    ctx.textBaseline = "alphabetic";
    // Fault bands across every column.
    for (const f of D.faults) {
      if (f.e < t0 || f.s > t1) continue;
      const y0 = Math.max(HDR, Y(f.s)), y1 = Math.min(vh, Math.max(Y(f.e), Y(f.s) + 2));
      ctx.fillStyle = rgba(FCOL[f.f], 0.12); ctx.fillRect(GUT, y0, vw - GUT, y1 - y0);
      ctx.fillStyle = FCOL[f.f]; ctx.fillRect(GUT, y0, 3, y1 - y0);
    }
    // Operations of the columns in view.
    const cFirst = Math.max(0, Math.floor(c0)), cLast = Math.min(NC - 1, Math.floor(c0 + (vw - GUT) / CW));
    const bw = CW - 6, chars = Math.floor((bw - 6) / 6.2);
    ctx.font = "10px 'DejaVu Sans', sans-serif";
    let drawn = 0; const shown = firstRender ? [] : null;
    lastShown = [];
    function bar(i, x, dense, dim) {
      const s = start[i], e = end[i], y0 = Y(s), h = Math.max(dense ? 1 : 2, (e - s) * scale), o = O[i];
      if (dim) ctx.globalAlpha = 0.15;
      ctx.fillStyle = OCOL[o]; ctx.fillRect(x, y0, bw, h);
      if (h >= 5) { ctx.fillStyle = OEDGE[o]; ctx.fillRect(x, y0, bw, 1); }
      const newProc = compact && !dense && s === procFirst[P[i]]; // a lane's next process begins here
      if (newProc) { ctx.fillStyle = "#222"; ctx.fillRect(x - 2, y0 - 1, bw + 4, 2); }
      if (h >= 13 && !dim) {
        ctx.fillStyle = "#111";
        const label = (K && K[i] >= 0 ? D.keys[K[i]] + ": " : "") + D.fs[F[i]] + " " + short(V[i], 40);
        if (newProc) {
          const pl = "p" + D.cols[P[i]];
          ctx.fillText(short(label, chars - pl.length - 1), x + 3, y0 + 11);
          ctx.textAlign = "right"; ctx.fillText(pl, x + bw - 3, y0 + 11); ctx.textAlign = "left";
        } else ctx.fillText(short(label, chars), x + 3, y0 + 11);
      }
      if (dim) ctx.globalAlpha = 1;
    }
    // Zoomed out, many operations share a pixel: ok bars first, then fail,
    // info and pending over them, so that the rare outcomes stay visible.
    const dense = 3 / scale > 1e3; // under 3 px for a millisecond
    // With a filter, the other operations first, dimmed, the matching ones over them.
    const later = [];
    for (const pass of M ? [0, 1] : [1]) {
      for (let c = cFirst; c <= cLast; c++) {
        const x = X(c) + 3, stop = colStart[c + 1];
        let lastPx = -1;
        for (let k = firstFrom(c, t0 - colMax[c]); k < stop; k++) {
          const i = colOps[k], s = start[i];
          if (s > t1) break;
          if (end[i] < t0 || (M && M[i] !== pass)) continue;
          drawn++; if (shown) shown.push(i);
          if (pass && lastShown.length < 5000) lastShown.push(idx[i]);
          if (O[i] !== 0 && pass) { later.push(i); continue; }
          const px = Math.floor(Y(s));
          if ((end[i] - s) * scale < 3 && px === lastPx) continue; // this pixel is already ok-coloured
          lastPx = px;
          bar(i, x, dense, !pass);
        }
      }
    }
    for (const i of later) bar(i, X(COL[i]) + 3, dense, false);
    const inView = i => COL[i] >= cFirst && COL[i] <= cLast && end[i] >= t0 && start[i] <= t1;
    const outline = (i, grow, colour, width) => {
      ctx.strokeStyle = colour; ctx.lineWidth = width;
      ctx.strokeRect(X(COL[i]) + 3 - grow, Y(start[i]) - grow, bw + 2 * grow, Math.max(3, (end[i] - start[i]) * scale) + 2 * grow);
    };
    for (const i of hlAll) { // few: a counterexample, the writes of lost elements
      if (!inView(i)) continue;
      hlKinds(i).forEach((k, n) => outline(i, 1.5 + 3 * n, HLCOL[k], 3));
    }
    if (selected >= 0 && inView(selected)) { ctx.setLineDash([5, 3]); outline(selected, 8, "#000", 2); ctx.setLineDash([]); }
    if (hovered >= 0) {
      const c = COL[hovered];
      if (c >= cFirst && c <= cLast && end[hovered] >= t0 && start[hovered] <= t1) {
        ctx.strokeStyle = "#000"; ctx.lineWidth = 1.5;
        ctx.strokeRect(X(c) + 3, Y(start[hovered]), bw, Math.max(2, (end[hovered] - start[hovered]) * scale));
      }
    }
    // Left gutter: time ticks; fault labels at the top of their band.
    ctx.fillStyle = "#fff"; ctx.fillRect(0, HDR, GUT, vh - HDR);
    ctx.strokeStyle = "#ccc"; ctx.beginPath(); ctx.moveTo(GUT - 0.5, HDR); ctx.lineTo(GUT - 0.5, vh); ctx.stroke();
    const step = niceStep(60 / scale);
    ctx.fillStyle = "#444"; ctx.font = "10px 'DejaVu Sans', sans-serif";
    for (let tt = Math.ceil(t0 / step) * step; tt <= t1; tt += step) {
      const y = Y(tt);
      if (y < HDR + 8) continue; // under the column headers
      ctx.fillRect(GUT - 6, y, 6, 1);
      ctx.fillText((tt / 1e6).toFixed(step >= 1e6 ? 0 : Math.min(6, Math.ceil(-Math.log10(step / 1e6)))) + " s", 4, y + 4);
    }
    for (const f of D.faults) {
      if (f.e < t0 || f.s > t1) continue;
      const y = Math.max(HDR + 22, Y(f.s) + 11);
      ctx.fillStyle = FCOL[f.f]; ctx.font = "bold 10px 'DejaVu Sans', sans-serif";
      ctx.fillText(short(f.l, 40), GUT + 6, y);
    }
    // Column headers.
    ctx.fillStyle = "#f2f2f2"; ctx.fillRect(0, 0, vw, HDR);
    ctx.fillStyle = "#222"; ctx.font = "bold 11px 'DejaVu Sans', sans-serif";
    for (let c = cFirst; c <= cLast; c++) {
      ctx.fillText(short(colName[c], chars + 2), X(c) + 5, 15);
    }
    ctx.fillText("time", 6, 15);
    ctx.fillStyle = "#bbb"; ctx.fillRect(0, HDR - 1, vw, 1);
    drawStrip(t0, t1);
    if (firstRender) {
      firstRender = false;
      // A marker for people and for tests: what the first screen drew.
      const ms = performance.now();
      shown.sort((x, y) => start[x] - start[y] || idx[x] - idx[y]);
      const m = document.createElement("div");
      m.id = "rendered"; m.hidden = true;
      m.dataset.ops = String(N); m.dataset.drawn = String(drawn); m.dataset.ms = ms.toFixed(0);
      m.dataset.loaded = tScript.toFixed(0); m.dataset.parsed = tParsed.toFixed(0); // where the time went
      m.dataset.first = shown.slice(0, 20).map(i => idx[i]).join(",");
      document.body.appendChild(m);
      status.textContent = "first screen drawn " + ms.toFixed(0) + " ms after opening";
    }
  }

  function drawStrip(t0, t1) {
    const w = strip.clientWidth, h = strip.clientHeight, sx = t => t / (END * 1.02) * w;
    sctx.clearRect(0, 0, w, h);
    sctx.fillStyle = "#eee"; sctx.fillRect(0, 0, w, h);
    sctx.font = "10px 'DejaVu Sans', sans-serif";
    for (const f of D.faults) {
      const x0 = sx(f.s), x1 = Math.max(sx(f.e), x0 + 2);
      sctx.fillStyle = rgba(FCOL[f.f], 0.45); sctx.fillRect(x0, 2, x1 - x0, h - 4);
      const label = f.l, tw = sctx.measureText(label).width;
      if (tw + 4 < x1 - x0) { sctx.fillStyle = "#111"; sctx.fillText(label, x0 + 2, h / 2 + 4); }
    }
    for (const i of hlAll) { sctx.fillStyle = HLCOL[hlKinds(i)[0]]; sctx.fillRect(sx(start[i]) - 1, 0, 2, h); }
    sctx.strokeStyle = "#000"; sctx.lineWidth = 1.5;
    sctx.strokeRect(sx(t0), 0.75, Math.max(2, sx(t1) - sx(t0)), h - 1.5);
  }

  // The operation under the mouse, if any: binary search in its column.
  function opAt(px, py) {
    if (px < GUT || py < HDR) return -1;
    const c = Math.floor(leftCol() + (px - GUT) / CW);
    if (c < 0 || c >= NC) return -1;
    const t = topTime() + (py - HDR) / scale, slack = 2 / scale;
    let best = -1;
    for (let k = firstFrom(c, t - colMax[c] - slack); k < colStart[c + 1]; k++) {
      const i = colOps[k];
      if (start[i] > t + slack) break;
      if (t <= Math.max(end[i], start[i] + slack) + slack) best = i;
    }
    return best;
  }
  function describe(i) {
    const o = O[i], lines = [];
    const who = procName(P[i]);
    lines.push((K && K[i] >= 0 ? "key " + D.keys[K[i]] + "   " : "") + (D.fs[F[i]] || "") + "   " + OUT[o] + "   " + who);
    for (const k of hlKinds(i)) lines.push(k === "lost" ? "LOST: its value is missing at the end" : "in the linearizability COUNTEREXAMPLE");
    lines.push("history index " + idx[i] + (B[i] >= 0 ? " → " + (idx[i] + B[i]) : orphan.has(i) ? " (a completion without invocation)" : " (never completed)"));
    if (V[i] !== null) lines.push("value  " + (typeof V[i] === "string" ? V[i] : String(V[i])));
    if (E[i]) lines.push("error  " + D.errs[E[i]]);
    lines.push("invoked   " + fmtS(start[i]));
    if (D.d[i] >= 0) lines.push("completed " + fmtS(end[i]) + "   latency " + fmtMs(end[i] - start[i]));
    return lines.join("\n");
  }
  function faultAt(py) {
    const t = topTime() + (py - HDR) / scale;
    return D.faults.filter(f => f.s <= t && t <= f.e);
  }
  view.addEventListener("mousemove", ev => {
    const r = view.getBoundingClientRect(), px = ev.clientX - r.left, py = ev.clientY - r.top;
    const i = opAt(px, py);
    let text = "";
    if (i >= 0) text = describe(i);
    else if (py > HDR) for (const f of faultAt(py)) text += (text ? "\n" : "") + f.l + "   " + fmtS(f.s) + " → " + (f.open ? "end of history (never stopped)" : fmtS(f.e));
    if (i !== hovered) { hovered = i; schedule(); }
    if (!text) { tip.style.display = "none"; return; }
    tip.textContent = text; tip.style.display = "block";
    const tx = Math.min(ev.clientX + 14, window.innerWidth - tip.offsetWidth - 4), ty = Math.min(ev.clientY + 14, window.innerHeight - tip.offsetHeight - 4);
    tip.style.left = tx + "px"; tip.style.top = ty + "px";
  });
  view.addEventListener("mouseleave", () => { tip.style.display = "none"; hovered = -1; schedule(); });

  let pending = false;
  function schedule() { if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; draw(); }); } }
  scroller.addEventListener("scroll", schedule, { passive: true });
  function zoom(factor, anchorPy) { // keep the time under anchorPy where it is
    const py = anchorPy === undefined ? (vh + HDR) / 2 : anchorPy;
    const ta = topTime() + (py - HDR) / scale;
    scale = clampScale(scale * factor);
    layout();
    scrollToTime(ta - (py - HDR) / scale);
    draw();
  }
  document.getElementById("zin").onclick = () => zoom(2);
  document.getElementById("zout").onclick = () => zoom(0.5);
  document.getElementById("zfit").onclick = () => { scale = clampScale(0); layout(); scrollToTime(0); draw(); };
  view.addEventListener("wheel", ev => {
    if (!ev.ctrlKey) return;
    ev.preventDefault();
    zoom(ev.deltaY < 0 ? 1.25 : 0.8, ev.clientY - view.getBoundingClientRect().top);
  }, { passive: false });
  strip.addEventListener("click", ev => {
    const r = strip.getBoundingClientRect();
    scrollToTime((ev.clientX - r.left) / r.width * END * 1.02 - viewT() / 2);
    schedule();
  });
  document.getElementById("compact").onchange = ev => {
    const t0 = topTime(); buildColumns(ev.target.checked); hovered = -1; layout(); scroller.scrollLeft = 0; scrollToTime(t0); draw();
  };
  window.addEventListener("resize", () => { const t0 = topTime(); layout(); scrollToTime(t0); draw(); });

  // Header text.
  document.getElementById("title").textContent = D.name + (D.seed ? "   seed " + D.seed : "");
  const procs = D.cols.filter(c => c !== "nemesis").length;
  document.getElementById("counts").textContent = D.client + " client operations, " + (N - D.client) + " nemesis, " +
      procs + " processes, " + fmtS(END) + (D.faults.length ? ", " + D.faults.length + " fault intervals" : "");
  const esc = x => String(x).replace(/&/g, "&amp;").replace(/</g, "&lt;");
  let legend = "";
  for (let o = 0; o < 4; o++) legend += '<span class="chip" style="background:' + OCOL[o] + '"></span>' + OUT[o] + " ";
  for (const f of Object.keys(FCOL)) if (D.faults.some(x => x.f === f))
    legend += ' <span class="chip" style="background:' + rgba(FCOL[f], 0.35) + '"></span>' + esc(f) + " ";
  for (const k of HLKINDS) if (HL[k].size)
    legend += ' <span class="hlchip" style="border-color:' + HLCOL[k] + '"></span>' + k + " (" + HL[k].size + ") ";
  document.getElementById("legend").innerHTML = legend;
  const fmtN = x => String(x).replace(/\B(?=(\d{3})+(?!\d))/g, "\u2009");
  const shownEl = document.getElementById("shown");
  const updateCounts = () => { shownEl.textContent = fmtN(nShown) + " of " + fmtN(N) + " operations"; };
  const datalist = (id, names) => { if (names.length <= 2000) document.getElementById(id).innerHTML = names.map(x => '<option value="' + esc(x).replace(/"/g, "&quot;") + '">').join(""); };
  datalist("q-keys", D.keys); datalist("q-fs", D.fs);

  // Selecting an operation (a click, the list, #op=): outlined, described in a box.
  const selEl = document.getElementById("sel");
  function showSelection() {
    selEl.style.display = selected >= 0 ? "block" : "none";
    if (selected >= 0) selEl.textContent = describe(selected);
  }
  function spanOfIndex(n) { // by the history index of its invocation, or else of its completion
    for (let i = 0; i < N; i++) if (idx[i] === n) return i;
    for (let i = 0; i < N; i++) if (B[i] >= 0 && idx[i] + B[i] === n) return i;
    return -1;
  }
  function reveal(i) { // scroll so operation i is in view, unless it already is
    const t0 = topTime(), vt = viewT();
    if (start[i] < t0 || start[i] > t0 + vt * 0.9) scrollToTime(start[i] - vt * 0.25);
    const visible = (vw - GUT) / CW, l = leftCol(), c = COL[i];
    if (c < l || c + 1 > l + visible) {
      const maxLeft = Math.max(0, NC - visible), want = Math.min(maxLeft, Math.max(0, c - 1));
      scroller.scrollLeft = contentW <= MAXPX ? want * CW : (maxLeft > 0 ? want / maxLeft * (inner.offsetWidth - vw) : 0);
    }
  }
  function revealFirstMatch() { // unless a matching operation is in view already
    if (!M) return;
    const t0 = topTime(), t1 = t0 + viewT(), l = leftCol(), r = l + (vw - GUT) / CW;
    let first = -1;
    for (let i = 0; i < N; i++) {
      if (!M[i]) continue;
      if (end[i] >= t0 && start[i] <= t1 && COL[i] + 1 > l && COL[i] < r) return;
      if (first < 0 || start[i] < start[first]) first = i;
    }
    if (first >= 0) reveal(first);
  }

  // The list of highlighted operations, each a link to it.
  const hlEl = document.getElementById("hl");
  hlEl.hidden = !hlAll.length;
  document.getElementById("hlsum").textContent = hlAll.length + " highlighted: " +
      HLKINDS.filter(k => HL[k].size).map(k => HL[k].size + " " + k).join(", ");
  const hlist = document.getElementById("hlist");
  for (const i of hlAll) {
    const li = document.createElement("li");
    li.dataset.op = String(idx[i]);
    li.textContent = hlKinds(i).join("+") + "  #" + idx[i] + "  " + procName(P[i]) + "  " +
        (K && K[i] >= 0 ? D.keys[K[i]] + ": " : "") + D.fs[F[i]] + " " + short(V[i], 40) + "  " + OUT[O[i]] + "  " + fmtS(start[i]);
    li.style.color = HLCOL[hlKinds(i)[0]];
    li.onclick = () => { selected = i; reveal(i); showSelection(); draw(); writeHash(); };
    hlist.appendChild(li);
  }
  view.addEventListener("click", ev => {
    const r = view.getBoundingClientRect();
    selected = opAt(ev.clientX - r.left, ev.clientY - r.top);
    showSelection(); draw(); writeHash();
  });

  // The toolbar.
  const input = {};
  for (const k of FIELDS) input[k] = document.getElementById("q-" + k);
  function onQuery() {
    for (const k of FIELDS) q[k] = input[k].value.trim();
    computeFilter(); revealFirstMatch(); updateCounts(); draw(); writeHash();
  }
  for (const k of FIELDS) input[k].addEventListener("input", onQuery);
  document.getElementById("q-clear").onclick = () => { for (const k of FIELDS) input[k].value = ""; onQuery(); };

  // The address says what is shown, and follows the page (see the header
  // comment of timeline.cpp for its grammar): opening it, or setting it
  // later, shows the same thing again.
  const anchorTime = () => topTime() + viewT() * 0.1; // "t": a tenth of the way down the view
  let autoCompact = compact, ownHash = null, hashTimer = 0;
  function hashText() {
    const parts = [];
    const enc = v => encodeURIComponent(v).replace(/%7C/g, "|");
    for (const k of FIELDS) if (q[k] !== "") parts.push(k + "=" + enc(q[k]));
    if (selected >= 0) parts.push("op=" + idx[selected]);
    parts.push("t=" + (anchorTime() / 1e6).toFixed(3));
    const z = scale / baseScale;
    if (Math.abs(z - 1) > 0.01) parts.push("zoom=" + z.toPrecision(3));
    if (compact !== autoCompact) parts.push("compact=" + (compact ? 1 : 0));
    return "#" + parts.join("&");
  }
  function writeHash() {
    clearTimeout(hashTimer);
    const h = hashText();
    if (h === location.hash) return;
    try { history.replaceState(null, "", h); } catch (e) { ownHash = h; location.replace(h); } // replaceState fires no hashchange
  }
  const writeHashSoon = () => { clearTimeout(hashTimer); hashTimer = setTimeout(writeHash, 300); };
  scroller.addEventListener("scroll", writeHashSoon, { passive: true });
  for (const id of ["zin", "zout", "zfit", "compact"]) document.getElementById(id).addEventListener(id === "compact" ? "change" : "click", writeHashSoon);
  view.addEventListener("wheel", writeHashSoon, { passive: true });

  let firstOp = Infinity;
  for (let c = 0; c < NC; c++) if (colStart[c + 1] > colStart[c]) firstOp = Math.min(firstOp, start[colOps[colStart[c]]]);
  function applyHash(initial) {
    const want = new URLSearchParams(location.hash.slice(1));
    for (const k of FIELDS) q[k] = (want.get(k) || "").trim();
    q.highlight = normHl(q.highlight);
    for (const k of FIELDS) input[k].value = q[k];
    computeFilter();
    if (want.has("compact") && (want.get("compact") === "1") !== compact) { buildColumns(want.get("compact") === "1"); hovered = -1; }
    document.getElementById("compact").checked = compact;
    layout();
    if (want.has("zoom")) { scale = clampScale(baseScale * (parseFloat(want.get("zoom")) || 1)); layout(); }
    selected = want.has("op") ? spanOfIndex(parseInt(want.get("op"), 10)) : -1;
    if (want.has("t")) scrollToTime(parseFloat(want.get("t")) * 1e6 - viewT() * 0.1 || 0);
    else if (selected >= 0) reveal(selected);
    else if (M) { if (initial) scrollToTime(firstOp - viewT() * 0.02); revealFirstMatch(); }
    else if (initial && firstOp < Infinity) scrollToTime(firstOp - viewT() * 0.02);
    if (want.has("t") && selected >= 0) { const t = topTime(); reveal(selected); scrollToTime(t); } // the column only
    showSelection(); updateCounts();
    draw();
  }
  window.addEventListener("hashchange", () => {
    if (location.hash === ownHash) return;
    applyHash(false); writeHash();
  });

  // For people at the console and for tests: what the page shows, read-only.
  window.timelineState = () => ({
    ops: N, visible: nShown, filter: Object.assign({}, q),
    highlighted: hlAll.map(i => idx[i]).sort((x, y) => x - y),
    counterexample: D.hl.counterexample.map(i => idx[i]), lost: D.hl.lost.map(i => idx[i]),
    selected: selected >= 0 ? idx[selected] : null,
    t: anchorTime() / 1e6, top: topTime() / 1e6, bottom: (topTime() + viewT()) / 1e6,
    shown: lastShown.slice(), // history indices of the matching operations drawn (at most 5000)
    hash: location.hash,
  });

  applyHash(true); // the first screen, synchronously: no wait for an animation frame
})();
)JS";

const bool registered = register_checker({.name = "timeline", .doc = "timeline.html: every operation per process on one time axis, faults shaded", .draws = true},
                                          [] { return std::make_unique<Timeline>(); });

}  // namespace
}  // namespace eclat
