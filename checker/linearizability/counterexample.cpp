#include "checker/linearizability/counterexample.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sstream>

namespace eclat::lin {
namespace {

using Clock = std::chrono::steady_clock;

struct Shrinker {
  const std::vector<std::vector<uint32_t>>& slots;
  const std::vector<std::string>& keys;
  const Model& model;
  Clock::time_point deadline;
  bool out_of_time = false;

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
};

// The history cut at event position t: invocations after it are dropped,
// operations completing after it become indeterminate.
void cut(const std::vector<LinOp>& h, const std::vector<std::vector<uint32_t>>& sl, uint64_t t,
         std::vector<LinOp>& out, std::vector<std::vector<uint32_t>>& out_sl) {
  out.clear();
  out_sl.clear();
  for (size_t i = 0; i < h.size(); ++i) {
    if (h[i].call > t) continue;
    LinOp o = h[i];
    if (!o.info && o.ret > t) {
      o.info = true;
      o.ret = LinOp::kNever;
      o.output = nullptr;
    }
    out.push_back(std::move(o));
    out_sl.push_back(sl[i]);
  }
}

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

Counterexample explain(const std::vector<LinOp>& ops, const std::vector<std::vector<uint32_t>>& slots,
                       const std::vector<std::string>& keys, const Model& model, double time_limit_s) {
  Counterexample cx;
  cx.keys = keys;
  cx.original_ops = ops.size();
  Shrinker sh{slots, keys, model,
              Clock::now() + std::chrono::microseconds(static_cast<int64_t>(time_limit_s * 1e6))};
  std::vector<LinOp> h = ops;
  std::vector<std::vector<uint32_t>> sl = slots;

  // 1. The earliest cut that still fails. Cutting later keeps more of the
  // history, so "fails" is monotone in the cut: bisect over completions.
  std::vector<uint64_t> rets;
  for (const auto& o : h)
    if (!o.info) rets.push_back(o.ret);
  std::sort(rets.begin(), rets.end());
  std::vector<LinOp> tmp;
  std::vector<std::vector<uint32_t>> tmp_sl;
  if (!rets.empty()) {
    size_t lo = 0, hi = rets.size() - 1;  // the cut at rets[hi] fails (it is the whole history)
    while (lo < hi && !sh.out_of_time) {
      size_t mid = (lo + hi) / 2;
      cut(h, sl, rets[mid], tmp, tmp_sl);
      if (sh.fails(tmp, tmp_sl)) hi = mid;
      else lo = mid + 1;
    }
    cut(h, sl, rets[hi], tmp, tmp_sl);
    h.swap(tmp);
    sl.swap(tmp_sl);
  }

  // 2. Drop what cannot change the state, make the rest indeterminate,
  // one operation at a time, keeping each change that still fails.
  for (bool changed = true; changed && !sh.out_of_time;) {
    changed = false;
    for (size_t i = h.size(); i-- > 0 && !sh.out_of_time;) {
      ValuePool pool;
      std::optional<Encoded> e = model.encode(h[i], pool);
      tmp = h;
      tmp_sl = sl;
      if (!e || e->pure) {
        tmp.erase(tmp.begin() + static_cast<long>(i));
        tmp_sl.erase(tmp_sl.begin() + static_cast<long>(i));
      } else if (!h[i].info) {
        tmp[i].info = true;
        tmp[i].ret = LinOp::kNever;
        tmp[i].output = nullptr;
      } else {
        continue;
      }
      if (sh.fails(tmp, tmp_sl)) {
        h.swap(tmp);
        sl.swap(tmp_sl);
        changed = true;
      }
    }
  }
  cx.shrunk_fully = !sh.out_of_time;

  // 3. Where the search gets stuck on what is left.
  cx.ops = h;
  for (const auto& o : h) cx.shown.push_back(model.show_op(o));
  ValuePool pool;
  std::vector<SearchOp> s = encode_operations(h, sl, nullptr, model, pool);
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
    cx.why = model.why_not(h[stuck.source], stuck.enc, st.data(), pool);
  } else {
    cx.why = "it fits after this prefix, but then no order of the operations still running "
             "can be completed (every other placement was tried)";
  }
  return cx;
}

std::string Counterexample::table() const {
  std::ostringstream o;
  o << "counterexample in " << part << ": " << ops.size() << " of " << original_ops
    << " operations" << (shrunk_fully ? "" : " (shrinking ran out of time)") << "\n";
  o << "  " << pad("#", 4) << pad("process", 9) << pad("invoked", 9) << pad("returned", 10)
    << pad("operation", 40) << "after (real time)\n";
  for (size_t i = 0; i < ops.size(); ++i) {
    std::string after;
    for (size_t j = 0; j < ops.size(); ++j)
      if (!ops[j].info && ops[j].ret < ops[i].call) after += (after.empty() ? "#" : ", #") + std::to_string(j);
    std::string mark = static_cast<int64_t>(i) == stuck ? "* " : "  ";
    o << mark << pad(std::to_string(i), 4) << pad(std::to_string(ops[i].process), 9)
      << pad(std::to_string(ops[i].call), 9)
      << pad(ops[i].info ? "never" : std::to_string(ops[i].ret), 10) << pad(shown[i], 40)
      << after << "\n";
  }
  o << "  (invoked/returned: positions in the history; \"never\": indeterminate, it may have\n"
       "   taken effect at any time after its invocation, or not at all)\n";
  o << "longest linearizable prefix:";
  if (prefix.empty()) o << " (none)";
  for (size_t k = 0; k < prefix.size(); ++k) o << (k ? ", #" : " #") << prefix[k];
  o << "\nstate after it:";
  for (size_t k = 0; k < state.size(); ++k)
    o << (k ? ", " : " ") << (keys[k].empty() ? "register" : keys[k]) << " = " << state[k];
  o << "\n";
  if (stuck >= 0) o << "cannot place #" << stuck << " (" << shown[static_cast<size_t>(stuck)] << "): " << why << "\n";
  if (!svg.empty()) o << "drawing: " << svg << "\n";
  return o.str();
}

std::string Counterexample::dot() const {
  std::ostringstream o;
  o << "digraph counterexample {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\", fontsize=11];\n"
       "  edge [color=gray40];\n";
  o << "  labelloc=t;\n  label=\"" << dot_escape("not linearizable: " + part + " — " + why) << "\";\n";
  std::vector<int64_t> order(ops.size(), -1);
  for (size_t k = 0; k < prefix.size(); ++k) order[prefix[k]] = static_cast<int64_t>(k);
  for (size_t i = 0; i < ops.size(); ++i) {
    std::string label = "#" + std::to_string(i) + "  process " + std::to_string(ops[i].process) +
                        "\n" + shown[i];
    if (order[i] >= 0) label += "\nlinearized " + std::to_string(order[i] + 1) + ".";
    if (ops[i].info) label += "\n(indeterminate)";
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
  j["operations"] = nlohmann::json::array();
  for (size_t i = 0; i < ops.size(); ++i) {
    nlohmann::json op = {{"n", i}, {"process", ops[i].process}, {"index", ops[i].index},
                         {"op", shown[i]}, {"invoked", ops[i].call}};
    if (ops[i].info) op["returned"] = nullptr;
    else op["returned"] = ops[i].ret;
    j["operations"].push_back(op);
  }
  j["original_operations"] = original_ops;
  j["shrunk_fully"] = shrunk_fully;
  j["linearizable_prefix"] = prefix;
  nlohmann::json st = nlohmann::json::object();
  for (size_t k = 0; k < state.size() && k < keys.size(); ++k) st[keys[k]] = state[k];
  j["state"] = st;
  j["stuck"] = stuck;
  j["why"] = why;
  if (!svg.empty()) j["svg"] = svg;
  return j;
}

}  // namespace eclat::lin
