#include "checker/linearizability/counterexample.hpp"

#include "checker/report_ops.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace eclat::lin {
namespace {

using Clock = std::chrono::steady_clock;

// One operation of the sub-history being shrunk: as searched (`cur`) and as
// the history has it (`orig`; they differ when the cut made it indeterminate).
struct Item {
  LinOp cur, orig;
  std::vector<uint32_t> sl;
  bool pure = false;  // cannot change the state, or carries nothing: always safe to drop
};

struct Shrinker {
  const std::vector<std::string>& keys;
  const Model& model;
  Clock::time_point deadline;
  bool out_of_time = false;

  bool is_pure(const LinOp& o) const {
    ValuePool pool;
    try {
      std::optional<Encoded> e = model.encode(o, pool);
      return !e || e->pure;
    } catch (const std::exception&) {
      return false;
    }
  }

  // Not linearizable, surely (unknown counts as "cannot tell": keep the original).
  bool fails(const std::vector<LinOp>& h, const std::vector<std::vector<uint32_t>>& sl) {
    if (Clock::now() > deadline) {
      out_of_time = true;
      return false;
    }
    ValuePool pool;
    std::vector<SearchOp> s = encode_operations(h, sl, nullptr, model, pool);
    Budget b;
    b.deadline = deadline;
    SearchResult r = search(s, keys, {}, model, pool, b);
    if (r.outcome == Outcome::unknown) out_of_time = true;
    return r.outcome == Outcome::not_linearizable;
  }
  bool fails(const std::vector<Item>& items, const std::vector<bool>* drop = nullptr) {
    std::vector<LinOp> h;
    std::vector<std::vector<uint32_t>> sl;
    for (size_t i = 0; i < items.size(); ++i) {
      if (drop && (*drop)[i]) continue;
      h.push_back(items[i].cur);
      sl.push_back(items[i].sl);
    }
    return fails(h, sl);
  }

  // Could `other` (either as searched or as the history has it: an outcome
  // given back later must not make an earlier removal unsound) see `effect`?
  // One that returned before effect was invoked comes before it in every
  // linearization, where effect changes nothing yet: it cannot see it.
  bool observes(const Item& effect, const Item& other) const {
    auto sees = [&](const LinOp& o) {
      return !(!o.info && o.ret < effect.cur.call) && model.may_observe(effect.cur, o);
    };
    return sees(other.cur) || (other.orig.info != other.cur.info && sees(other.orig));
  }

  // Dropping the set `drop` (on top of `gone`) is sound: its pure members go
  // first (always safe), then each other member, which no operation left
  // and no other state-changing member may observe. Too many pairs to
  // compare counts as unsound (the next, smaller chunks will tell).
  bool sound(const std::vector<Item>& items, const std::vector<bool>& gone,
             const std::vector<size_t>& drop) {
    std::vector<bool> in(items.size(), false);
    size_t impure = 0;
    for (size_t i : drop) {
      in[i] = true;
      impure += !items[i].pure;
    }
    if (impure * items.size() > 4'000'000) return false;
    for (size_t c : drop) {
      if (items[c].pure) continue;
      if (Clock::now() > deadline) {  // long histories: the comparisons too keep to the budget
        out_of_time = true;
        return false;
      }
      for (size_t j = 0; j < items.size(); ++j) {
        if (j == c || gone[j] || (in[j] && items[j].pure)) continue;
        if (observes(items[c], items[j])) return false;
      }
    }
    return true;
  }

  // Drops what can soundly go while the rest still fails, until nothing
  // can: indeterminate operations first, then completed state-changing
  // ones, then pure ones; chunks of halving size (so that a long history
  // loses most of itself in few searches), ending with one at a time, so
  // that the result is 1-minimal: no single sound removal still fails.
  void drop_all(std::vector<Item>& items) {
    for (bool changed = true; changed && !out_of_time;) {
      changed = false;
      std::vector<size_t> order;
      for (int pass = 0; pass < 3; ++pass)
        for (size_t i = 0; i < items.size(); ++i) {
          int cls = items[i].pure ? 2 : items[i].cur.info ? 0 : 1;
          if (cls == pass) order.push_back(i);
        }
      std::vector<bool> gone(items.size(), false);
      for (size_t chunk = std::max<size_t>(1, order.size() / 2);; chunk /= 2) {
        for (size_t s = 0; s < order.size() && !out_of_time; s += chunk) {
          std::vector<size_t> c;
          for (size_t k = s; k < std::min(order.size(), s + chunk); ++k)
            if (!gone[order[k]]) c.push_back(order[k]);
          if (c.empty() || !sound(items, gone, c)) continue;
          std::vector<bool> trial = gone;
          for (size_t i : c) trial[i] = true;
          if (fails(items, &trial)) {
            gone.swap(trial);
            changed = true;
          }
        }
        if (chunk <= 1 || out_of_time) break;
      }
      std::vector<Item> kept;
      for (size_t i = 0; i < items.size(); ++i)
        if (!gone[i]) kept.push_back(std::move(items[i]));
      items.swap(kept);
    }
  }
};

// The history cut at event position t: invocations after it are dropped,
// operations completing after it become indeterminate.
std::vector<Item> cut(const std::vector<Item>& h, uint64_t t) {
  std::vector<Item> out;
  for (const Item& it : h) {
    if (it.cur.call > t) continue;
    Item o = it;
    if (!o.cur.info && o.cur.ret > t) {
      o.cur.info = true;
      o.cur.ret = LinOp::kNever;
      o.cur.ret_ns = -1;
      o.cur.output = nullptr;
    }
    out.push_back(std::move(o));
  }
  return out;
}

std::string ms(int64_t ns) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f ms", static_cast<double>(ns) / 1e6);
  return b;
}
double ms_value(int64_t ns) { return std::round(static_cast<double>(ns) / 1e3) / 1e3; }


std::string pad(std::string s, size_t n) {
  if (s.size() < n) s.append(n - s.size(), ' ');
  return s;
}

std::string dot_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (c == '\n') {
      o += "\\n";
      continue;
    }
    o += c;
  }
  return o;
}

}  // namespace

std::string part_words(const std::vector<std::string>& keys) {
  if (keys.size() == 1) return keys[0].empty() ? "the register" : "key " + keys[0];
  if (keys.empty()) return "no key";
  std::string s;
  for (size_t i = 0; i < keys.size() && i < 4; ++i) s += (i ? ", " : "") + (keys[i].empty() ? "\"\"" : keys[i]);
  if (keys.size() > 4) return std::to_string(keys.size()) + " keys (" + s + ", ...)";
  return "keys " + s;
}

Counterexample explain(const std::vector<LinOp>& ops, const std::vector<std::vector<uint32_t>>& slots,
                       const std::vector<std::string>& keys, const Model& model, double time_limit_s) {
  Counterexample cx;
  cx.keys = keys;
  cx.part = part_words(keys);
  cx.original_ops = ops.size();
  Shrinker sh{keys, model,
              Clock::now() + std::chrono::microseconds(static_cast<int64_t>(time_limit_s * 1e6))};
  std::vector<Item> all;
  for (size_t i = 0; i < ops.size(); ++i) all.push_back({ops[i], ops[i], slots[i], sh.is_pure(ops[i])});
  std::vector<Item> h = all;

  // 1. The earliest cut that still fails. Cutting later keeps more of the
  // history, so "fails" is monotone in the cut: bisect over completions.
  std::vector<uint64_t> rets;
  for (const auto& o : ops)
    if (!o.info) rets.push_back(o.ret);
  std::sort(rets.begin(), rets.end());
  uint64_t t = LinOp::kNever;
  if (!rets.empty()) {
    size_t lo = 0, hi = rets.size() - 1;  // the cut at rets[hi] fails (it is the whole history)
    while (lo < hi && !sh.out_of_time) {
      size_t mid = (lo + hi) / 2;
      if (sh.fails(cut(all, rets[mid]))) hi = mid;
      else lo = mid + 1;
    }
    t = rets[hi];
    h = cut(all, t);
    for (Item& it : h) it.pure = sh.is_pure(it.cur);  // an info read carries nothing
  }

  // 2. Drop what can soundly go.
  sh.drop_all(h);

  // 3. Give the operations the cut made indeterminate their history's
  // outcome back where that still fails and stays sound: the sub-history is
  // then derived from the history cut at that completion instead, whose
  // extra invocations (after t) must all be pure to be dropped.
  uint64_t first_impure_after_cut = LinOp::kNever;
  for (const Item& it : all)
    if (it.cur.call > t && !it.pure) first_impure_after_cut = std::min(first_impure_after_cut, it.cur.call);
  bool restored = false;
  for (size_t i = 0; i < h.size() && !sh.out_of_time; ++i) {
    if (!h[i].cur.info || h[i].orig.info || h[i].orig.ret >= first_impure_after_cut) continue;
    std::vector<Item> trial = h;
    trial[i].cur = trial[i].orig;
    trial[i].pure = sh.is_pure(trial[i].cur);
    if (sh.fails(trial)) {
      h.swap(trial);
      restored = true;
    }
  }
  // A stricter history may now fail with fewer operations.
  if (restored) sh.drop_all(h);
  cx.shrunk_fully = !sh.out_of_time;

  // 4. Where the search gets stuck on what is left.
  for (const Item& it : h) {
    cx.ops.push_back(it.cur);
    cx.history.push_back(it.orig);
    cx.slots.push_back(it.sl);
    cx.shown.push_back(model.show_op(it.cur));
  }
  const std::vector<LinOp>& sh_ops = cx.ops;
  ValuePool pool;
  std::vector<SearchOp> s = encode_operations(sh_ops, cx.slots, nullptr, model, pool);
  SearchOptions so;
  so.record_deepest = true;
  SearchResult r = search(s, keys, {}, model, pool, Budget{}, so);
  if (r.outcome != Outcome::not_linearizable) {
    cx.why = "the shrunk history could not be confirmed invalid (" + std::string(to_string(r.outcome)) + ")";
    return cx;
  }
  for (uint32_t j : r.deepest_path) cx.prefix.push_back(s[j].source);
  for (Value v : r.deepest_state) cx.state.push_back(model.show_value(v, pool));
  const SearchOp& stuck = s[r.stuck];
  cx.stuck = stuck.source;
  std::vector<Value> st;
  for (uint32_t slot : stuck.slots) st.push_back(r.deepest_state[slot]);
  std::vector<Value> trial = st;
  if (!model.step(stuck.enc, trial.data(), pool)) {
    cx.why = model.why_not(sh_ops[stuck.source], stuck.enc, st.data(), pool);
  } else {
    cx.why = "it fits after this prefix, but then no order of the operations still running "
             "can be completed (every other placement was tried)";
  }
  return cx;
}

std::string Counterexample::table() const {
  // A history without times (all zero: a file from elsewhere) shows none
  // rather than a column of zeros; the event positions order it still.
  bool timed = false;
  for (const auto& op : history) timed |= op.call_ns != 0 || op.ret_ns > 0;
  auto when = [&](int64_t ns) { return timed ? ms(ns) : std::string("-"); };
  std::ostringstream o;
  o << "counterexample in " << part << ": " << ops.size() << " of " << original_ops
    << " operations" << (shrunk_fully ? "" : " (shrinking ran out of time)") << "\n";
  o << "  " << pad("#", 4) << pad("index", 8) << pad("process", 9) << pad("invoked", 12)
    << pad("returned", 12) << pad("took", 10) << pad("operation", 32) << "after (real time)\n";
  for (size_t i = 0; i < ops.size(); ++i) {
    std::string after;
    for (size_t j = 0; j < ops.size(); ++j)
      if (!ops[j].info && ops[j].ret < ops[i].call) after += (after.empty() ? "#" : ", #") + std::to_string(j);
    std::string mark = static_cast<int64_t>(i) == stuck ? "* " : "  ";
    o << mark << pad(std::to_string(i), 4) << pad(std::to_string(ops[i].index), 8)
      << pad(std::to_string(ops[i].process), 9) << pad(when(ops[i].call_ns), 12)
      << pad(ops[i].info ? "never" : when(ops[i].ret_ns), 12)
      << pad(ops[i].info ? "" : when(ops[i].ret_ns - ops[i].call_ns), 10) << pad(shown[i], 32) << after
      << "\n";
  }
  for (size_t i = 0; i < ops.size(); ++i)
    if (relaxed(i))
      o << "  #" << i << " was ok in the history"
        << (timed ? " at " + ms(history[i].ret_ns) : " (returned at event " + std::to_string(history[i].ret) + ")")
        << ", relaxed: the history is cut before it returned, so it is shown indeterminate\n";
  o << "  (" << (timed ? "times since the run started; " : "the history has no times; ")
    << "index: the invocation's in the history; \"never\":\n"
       "   indeterminate, it may have taken effect at any time after its invocation, or not at\n"
       "   all. The operations left out cannot change the state or have an effect none of these\n"
       "   could observe, so these alone prove the history not linearizable.)\n";
  o << "longest linearizable prefix:";
  if (prefix.empty()) o << " (none)";
  for (size_t k = 0; k < prefix.size(); ++k) o << (k ? ", #" : " #") << prefix[k];
  o << "\nstate after it:";
  for (size_t k = 0; k < state.size(); ++k)
    o << (k ? ", " : " ") << (keys[k].empty() ? "the register" : "key " + keys[k]) << " = " << state[k];
  o << "\n";
  if (stuck >= 0) o << "cannot place #" << stuck << " (" << shown[static_cast<size_t>(stuck)] << "): " << why << "\n";
  if (!svg.empty()) o << "drawing: " << svg << "\n";
  if (!timeline_svg.empty()) o << "timeline: " << timeline_svg << "\n";
  return o.str();
}

std::string Counterexample::timeline() const {
  // Knossos's linear.svg, simplified: a lane per process, a bar per
  // operation from invocation to completion; an indeterminate one is open
  // to the right (dashed); the linearized prefix is numbered in its order
  // and blue, the operation that cannot follow it red. Histories without
  // times (all zero) are drawn on their event positions.
  bool timed = false;
  for (const auto& op : ops) timed |= op.call_ns != 0 || op.ret_ns > 0;
  auto start = [&](size_t i) { return timed ? static_cast<double>(ops[i].call_ns) : static_cast<double>(ops[i].call); };
  auto end = [&](size_t i) { return timed ? static_cast<double>(ops[i].ret_ns) : static_cast<double>(ops[i].ret); };
  double t0 = 0, t1 = 0;
  bool first = true;
  for (size_t i = 0; i < ops.size(); ++i) {
    double a = start(i), b = ops[i].info ? a : end(i);
    if (first || a < t0) t0 = a;
    if (first || b > t1) t1 = b;
    first = false;
  }
  if (t1 <= t0) t1 = t0 + 1;
  t1 += (t1 - t0) * 0.08;  // room for the open ends
  std::vector<int64_t> lanes;
  for (const auto& op : ops)
    if (std::find(lanes.begin(), lanes.end(), op.process) == lanes.end()) lanes.push_back(op.process);
  std::sort(lanes.begin(), lanes.end());
  std::vector<int64_t> order(ops.size(), -1);
  for (size_t k = 0; k < prefix.size(); ++k) order[prefix[k]] = static_cast<int64_t>(k);
  const double left = 100, width = 760, top = 60, lane_h = 56;
  const double height = top + lane_h * static_cast<double>(lanes.size()) + 50;
  auto x = [&](double t) { return left + (t - t0) / (t1 - t0) * width; };
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << left + width + 40 << "\" height=\"" << height
    << "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n";
  o << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o << "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">" << report::markup_escape("not linearizable: " + part)
    << "</text>\n";
  if (stuck >= 0)
    o << "<text x=\"10\" y=\"40\" fill=\"#b00000\">"
      << report::markup_escape("cannot place #" + std::to_string(stuck) + " (" + shown[static_cast<size_t>(stuck)] + "): " + why)
      << "</text>\n";
  for (size_t l = 0; l < lanes.size(); ++l) {
    double y = top + lane_h * static_cast<double>(l);
    o << "<text x=\"10\" y=\"" << y + 32 << "\">process " << lanes[l] << "</text>\n";
    o << "<line x1=\"" << left << "\" y1=\"" << y + lane_h - 4 << "\" x2=\"" << left + width << "\" y2=\""
      << y + lane_h - 4 << "\" stroke=\"#eeeeee\"/>\n";
  }
  for (size_t i = 0; i < ops.size(); ++i) {
    size_t l = static_cast<size_t>(std::find(lanes.begin(), lanes.end(), ops[i].process) - lanes.begin());
    double y = top + lane_h * static_cast<double>(l) + 22;
    double a = x(start(i)), b = ops[i].info ? left + width : x(end(i));
    if (b - a < 3) b = a + 3;
    bool is_stuck = static_cast<int64_t>(i) == stuck;
    std::string fill = is_stuck ? "#f4a0a0" : order[i] >= 0 ? "#cfe3f7" : "#eeeeee";
    std::string stroke = is_stuck ? "red" : "#555555";
    o << "<rect x=\"" << a << "\" y=\"" << y << "\" width=\"" << b - a << "\" height=\"18\" fill=\"" << fill
      << "\" stroke=\"" << stroke << "\"" << (is_stuck ? " stroke-width=\"2\"" : "")
      << (ops[i].info ? " stroke-dasharray=\"5,3\" fill-opacity=\"0.6\"" : "") << "/>\n";
    std::string label = "#" + std::to_string(i) + " " + shown[i];
    if (relaxed(i)) label += " (ok in the history, relaxed)";
    // Labels of bars in the right half end at the bar's end, so that they stay on the page.
    bool right = a > left + width * 0.55;
    o << "<text x=\"" << (right ? std::max(a, b) - 2 : a + 2) << "\" y=\"" << y - 4 << "\""
      << (right ? " text-anchor=\"end\"" : "") << (is_stuck ? " fill=\"#b00000\"" : "") << ">"
      << report::markup_escape(label) << "</text>\n";
    if (order[i] >= 0)
      o << "<text x=\"" << a + 4 << "\" y=\"" << y + 13 << "\" font-weight=\"bold\" fill=\"#1a4f8a\">"
        << order[i] + 1 << ".</text>\n";
  }
  double axis = top + lane_h * static_cast<double>(lanes.size()) + 10;
  o << "<line x1=\"" << left << "\" y1=\"" << axis << "\" x2=\"" << left + width << "\" y2=\"" << axis
    << "\" stroke=\"black\"/>\n";
  for (int k = 0; k <= 4; ++k) {
    double t = t0 + (t1 - t0) * k / 4;
    char b[48];
    if (timed) std::snprintf(b, sizeof b, "%.1f ms", t / 1e6);
    else std::snprintf(b, sizeof b, "event %.0f", t);
    o << "<line x1=\"" << x(t) << "\" y1=\"" << axis << "\" x2=\"" << x(t) << "\" y2=\"" << axis + 5
      << "\" stroke=\"black\"/><text x=\"" << x(t) << "\" y=\"" << axis + 18 << "\" text-anchor=\"middle\">" << b
      << "</text>\n";
  }
  o << "</svg>\n";
  return o.str();
}

std::string Counterexample::dot() const {
  bool timed = false;
  for (const auto& op : history) timed |= op.call_ns != 0 || op.ret_ns > 0;
  std::ostringstream o;
  o << "digraph counterexample {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\", fontsize=11];\n"
       "  edge [color=gray40];\n";
  o << "  labelloc=t;\n  label=\"" << dot_escape("not linearizable: " + part + " — " + why) << "\";\n";
  std::vector<int64_t> order(ops.size(), -1);
  for (size_t k = 0; k < prefix.size(); ++k) order[prefix[k]] = static_cast<int64_t>(k);
  for (size_t i = 0; i < ops.size(); ++i) {
    std::string label = "#" + std::to_string(i) + "  process " + std::to_string(ops[i].process) +
                        "\n" + shown[i];
    if (timed) label += "\n" + ms(ops[i].call_ns) + " .. " + (ops[i].info ? std::string("never") : ms(ops[i].ret_ns));
    if (order[i] >= 0) label += "\nlinearized " + std::to_string(order[i] + 1) + ".";
    if (relaxed(i)) label += "\n(ok in the history, relaxed)";
    else if (ops[i].info) label += "\n(indeterminate)";
    std::string style;
    if (static_cast<int64_t>(i) == stuck) style = ", style=filled, fillcolor=\"#f4a0a0\", color=red, penwidth=2";
    else if (order[i] >= 0) style = ", style=filled, fillcolor=\"#cfe3f7\"";
    if (ops[i].info) style += style.empty() ? ", style=dashed" : "";
    o << "  op" << i << " [label=\"" << dot_escape(label) << "\"" << style << "];\n";
  }
  // Real-time precedence, transitively reduced: a -> b when a returned
  // before b was invoked and nothing lies between them.
  auto before = [&](size_t a, size_t b) { return !ops[a].info && ops[a].ret < ops[b].call; };
  for (size_t a = 0; a < ops.size(); ++a)
    for (size_t b = 0; b < ops.size(); ++b) {
      if (!before(a, b)) continue;
      bool direct = true;
      for (size_t c = 0; c < ops.size() && direct; ++c)
        if (before(a, c) && before(c, b)) direct = false;
      if (direct) o << "  op" << a << " -> op" << b << ";\n";
    }
  if (stuck >= 0) {
    o << "  why [shape=note, color=red, fontcolor=red, label=\"" << dot_escape("impossible: " + why) << "\"];\n";
    if (!prefix.empty())
      o << "  op" << prefix.back() << " -> op" << stuck
        << " [color=red, style=dashed, penwidth=2, label=\"next?\", fontcolor=red];\n";
    o << "  why -> op" << stuck << " [color=red, arrowhead=none, style=dotted];\n";
  }
  o << "}\n";
  return o.str();
}

nlohmann::json Counterexample::to_json() const {
  nlohmann::json j;
  j["part"] = part;
  j["keys"] = keys;
  j["operations"] = nlohmann::json::array();
  for (size_t i = 0; i < ops.size(); ++i) {
    const LinOp& op = ops[i];
    nlohmann::json e = {{"n", i},
                        {"index", op.index},
                        {"process", op.process},
                        {"key", op.key ? nlohmann::json(*op.key) : nlohmann::json()},
                        {"op", shown[i]},
                        {"outcome", !op.info ? "ok" : relaxed(i) ? "relaxed" : "info"},
                        {"history_outcome", history[i].info ? "info" : "ok"},
                        {"invoked_ms", ms_value(op.call_ns)}};
    e["returned_ms"] = op.info ? nlohmann::json() : nlohmann::json(ms_value(op.ret_ns));
    e["duration_ms"] = op.info ? nlohmann::json() : nlohmann::json(ms_value(op.ret_ns - op.call_ns));
    j["operations"].push_back(e);
  }
  j["original_operations"] = original_ops;
  j["shrunk_fully"] = shrunk_fully;
  j["linearizable_prefix"] = prefix;
  nlohmann::json st = nlohmann::json::object();
  for (size_t k = 0; k < state.size() && k < keys.size(); ++k) st[keys[k]] = state[k];
  j["state"] = st;
  j["stuck"] = stuck;
  j["why"] = why;
  j["svg"] = svg.empty() ? nlohmann::json() : nlohmann::json(svg);
  j["timeline_svg"] = timeline_svg.empty() ? nlohmann::json() : nlohmann::json(timeline_svg);
  return j;
}

}  // namespace eclat::lin
