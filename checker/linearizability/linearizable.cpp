#include "checker/linearizability/linearizable.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <fstream>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "checker/checker.hpp"
#include "checker/graphviz_render.hpp"
#include "checker/linearizability/partition.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"

namespace eclat::lin {

std::vector<LinOp> pair_operations(const History& history, const std::vector<size_t>& lines,
                                   const std::string& name, std::vector<std::string>* where) {
  auto at = [&](size_t i) {
    return name + ":" + std::to_string(i < lines.size() ? lines[i] : i + 1);
  };
  std::vector<LinOp> ops;
  std::vector<std::string> op_where;
  std::vector<bool> happened;
  std::unordered_map<int64_t, size_t> pending;  // process -> its open operation
  for (size_t i = 0; i < history.size(); ++i) {
    const Op& op = history[i];
    if (op.is_nemesis()) continue;
    if (op.type == OpType::invoke) {
      if (auto it = pending.find(op.process); it != pending.end())
        throw BadInput(at(i) + ": process " + std::to_string(op.process) +
                       " invokes again while its operation of " + op_where[it->second] +
                       " is pending");
      LinOp l;
      l.process = op.process;
      l.f = op.f;
      l.key = op.key;
      l.input = op.value;
      l.call = i;
      l.ret = LinOp::kNever;
      l.info = true;  // until its completion says otherwise
      l.index = op.index >= 0 ? op.index : static_cast<int64_t>(i);
      l.call_ns = op.time;
      pending[op.process] = ops.size();
      ops.push_back(std::move(l));
      op_where.push_back(at(i));
      happened.push_back(true);
      continue;
    }
    auto it = pending.find(op.process);
    if (it == pending.end())
      throw BadInput(at(i) + ": a completion (" + to_string(op.type) + ") of process " +
                     std::to_string(op.process) + ", which has no operation pending");
    LinOp& l = ops[it->second];
    if (op.f != l.f)
      throw BadInput(at(i) + ": the completion is a " + op.f + " but the invocation (" +
                     op_where[it->second] + ") a " + l.f);
    switch (op.type) {
      case OpType::ok:
        l.info = false;
        l.ret = i;
        l.output = op.value;
        l.ret_ns = op.time;
        break;
      case OpType::fail: happened[it->second] = false; break;  // did not happen
      default: l.error = op.error; break;                      // info: unknown
    }
    pending.erase(it);
  }
  std::vector<LinOp> out;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (!happened[i]) continue;
    out.push_back(std::move(ops[i]));
    if (where) where->push_back(op_where[i]);
  }
  return out;
}

namespace {

int64_t default_memory_limit() {
  // Half of what the machine has available, so that a hopeless search ends
  // in `unknown` long before the kernel's OOM killer could end it.
  int64_t avail = 0;
  std::ifstream in("/proc/meminfo");
  std::string k;
  int64_t v;
  std::string unit;
  while (in >> k >> v >> unit)
    if (k == "MemAvailable:") avail = v * 1024;
  if (avail <= 0) avail = int64_t{4} << 30;
  return avail / 2;
}

}  // namespace

void validate_operations(const std::vector<LinOp>& ops, const std::string& model_name,
                         const std::vector<std::string>& where, const nlohmann::json& initial) {
  auto model = make_model(model_name, initial);
  std::vector<Partition> parts = partition_operations(ops, *model, true, where);
  for (const Partition& p : parts) {
    ValuePool pool;
    size_t bad = 0;
    try {
      encode_operations(ops, p.slots, &p.ops, *model, pool, &bad);
    } catch (const std::invalid_argument& e) {
      throw BadInput((bad < where.size() ? where[bad] : "operation " + std::to_string(bad)) +
                     ": " + e.what());
    }
  }
}

Report check_operations(const std::vector<LinOp>& ops, const CheckOptions& options,
                        const std::vector<std::string>& where) {
  auto model = make_model(options.model, options.initial);
  model->set_nil_reads_unknown(options.nil_reads_unknown);
  Report report;
  report.model = model->name();
  report.initial = options.initial;
  report.nil_reads_unknown = options.nil_reads_unknown;
  std::vector<Partition> parts = partition_operations(ops, *model, options.split, where);

  auto start = std::chrono::steady_clock::now();
  Budget budget;
  if (options.time_limit_s > 0)
    budget.deadline = start + std::chrono::microseconds(static_cast<int64_t>(options.time_limit_s * 1e6));
  std::atomic<int64_t> memory_left(options.memory_limit > 0 ? options.memory_limit
                                                            : default_memory_limit());
  budget.memory_left = &memory_left;
  // One invalid part decides the verdict: the others stop (their parts say
  // "cancelled"), so an invalid history costs its easiest refutation.
  std::atomic<bool> decided(false);
  budget.cancel = &decided;

  // Largest parts first, so that the slowest starts at once.
  std::vector<size_t> order(parts.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  unsigned nthreads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  // Several threads: largest first, to balance. One: smallest first, so that
  // an invalid history is caught by its cheapest part.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return nthreads > 1 ? parts[a].ops.size() > parts[b].ops.size()
                        : parts[a].ops.size() < parts[b].ops.size();
  });
  report.parts.resize(parts.size());
  std::atomic<size_t> next(0);
  std::exception_ptr failure;
  std::mutex mu;
  auto worker = [&] {
    for (;;) {
      size_t j = next.fetch_add(1);
      if (j >= order.size()) return;
      const Partition& p = parts[order[j]];
      PartReport& pr = report.parts[order[j]];
      pr.label = p.label();
      auto t0 = std::chrono::steady_clock::now();
      try {
        ValuePool pool;
        size_t bad = 0;
        std::vector<SearchOp> sops;
        try {
          sops = encode_operations(ops, p.slots, &p.ops, *model, pool, &bad);
        } catch (const std::invalid_argument& e) {
          throw BadInput((bad < where.size() ? where[bad] : "operation " + std::to_string(bad)) +
                         ": " + e.what());
        }
        pr.ops = sops.size();
        SearchResult r = search(sops, p.keys, p.slot_atom, *model,
                                pool, budget);
        pr.outcome = r.outcome;
        pr.cause = r.cause;
        if (r.outcome == Outcome::not_linearizable) decided = true;
        pr.configurations = r.configurations;
        pr.peak_bytes = r.peak_bytes + pool.bytes();
      } catch (...) {
        std::lock_guard lock(mu);
        if (!failure) failure = std::current_exception();
      }
      pr.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
  };
  nthreads = static_cast<unsigned>(std::min<size_t>(nthreads, parts.size()));
  if (nthreads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (unsigned i = 0; i < nthreads; ++i) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }
  if (failure) std::rethrow_exception(failure);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  bool unknown = false, invalid = false;
  const Partition* first_bad = nullptr;
  for (size_t i = 0; i < parts.size(); ++i) {
    const PartReport& pr = report.parts[i];
    report.ops += pr.ops;
    report.configurations += pr.configurations;
    report.peak_bytes += pr.peak_bytes;
    if (pr.outcome == Outcome::not_linearizable) {
      invalid = true;
      if (!first_bad || parts[i].ops.size() < first_bad->ops.size()) first_bad = &parts[i];
    }
    if (pr.outcome == Outcome::unknown) unknown = true;
  }
  report.outcome = invalid ? Outcome::not_linearizable
                           : unknown ? Outcome::unknown : Outcome::linearizable;
  if (report.ops == 0 && !invalid) {
    // Nothing that took effect or may have: "linearizable" would be a
    // verdict on nothing (an empty history, a run killed at startup).
    report.outcome = Outcome::unknown;
    report.cause = "no operation to check: none took effect or may have";
  }
  // The smallest invalid part is the cheapest to explain; the summary names
  // it too, so that people read about the part they are shown.
  if (invalid) report.shown_part = part_words(first_bad->keys);
  if (invalid && options.counterexample) {
    std::vector<LinOp> sub;
    for (uint32_t i : first_bad->ops) sub.push_back(ops[i]);
    report.counterexample =
        explain(sub, first_bad->slots, first_bad->keys, *model, options.shrink_time_s);
  }
  return report;
}

nlohmann::json Report::to_json() const {
  nlohmann::json j;
  j["model"] = model;
  if (!initial.is_null()) j["initial"] = initial;
  if (nil_reads_unknown) j["nil_reads_unknown"] = true;
  j["outcome"] = to_string(outcome);
  j["operations"] = ops;
  j["partitions"] = parts.size();
  j["configurations"] = configurations;
  j["peak_bytes"] = peak_bytes;
  j["seconds"] = seconds;
  nlohmann::json bad = nlohmann::json::array(), unknown = nlohmann::json::array();
  for (const auto& p : parts) {
    if (p.outcome == Outcome::not_linearizable) bad.push_back(p.label);
    if (p.outcome == Outcome::unknown) unknown.push_back({{"part", p.label}, {"cause", p.cause}});
  }
  j["invalid_parts"] = bad;
  j["unknown_parts"] = unknown;
  if (!cause.empty()) j["cause"] = cause;
  if (counterexample) j["counterexample"] = counterexample->to_json();
  return j;
}

std::string Report::summary() const {
  std::string s = std::to_string(ops) + " operations in " + std::to_string(parts.size()) +
                  " part" + (parts.size() == 1 ? "" : "s") + " (" + model + "), " +
                  std::to_string(configurations) + " configurations: ";
  if (outcome == Outcome::linearizable) return s + "linearizable";
  if (outcome == Outcome::not_linearizable) {
    size_t n = 0;
    for (const auto& p : parts) n += p.outcome == Outcome::not_linearizable;
    return s + "NOT linearizable (" + std::to_string(n) + " part" + (n == 1 ? "" : "s") +
           (counterexample ? ", counterexample in " : ", the smallest ") + shown_part + ")";
  }
  if (!cause.empty()) return s + "unknown (" + cause + ")";
  for (const auto& p : parts)
    if (p.outcome == Outcome::unknown) return s + "unknown (" + p.label + ": " + p.cause + ")";
  return s + "unknown";
}

namespace {

// The `linearizable` checker. Its settings come from the scenario:
//   "linearizable": {"model": "cas-register", "time-limit": 60, "threads": 2,
//                    "memory-limit-mb": 2048, "split": true, "initial": 0,
//                    "nil-reads-unknown": false}
// (or a top-level "model"). For an invalid history it writes linearizable.svg
// (the graph, with Graphviz) and linearizable-timeline.svg (the time axis).
class Linearizable : public Checker {
 public:
  CheckResult check(const CheckContext& ctx) const override {
    CheckOptions o;
    nlohmann::json cfg = ctx.scenario.is_object() ? ctx.scenario.value("linearizable", nlohmann::json::object())
                                                  : nlohmann::json::object();
    if (!cfg.is_object()) throw BadInput("scenario: \"linearizable\" must be an object");
    try {
      if (ctx.scenario.is_object() && ctx.scenario.contains("model"))
        o.model = ctx.scenario["model"].get<std::string>();
      o.model = cfg.value("model", o.model);
      o.time_limit_s = cfg.value("time-limit", 0.0);
      o.threads = cfg.value("threads", 0u);
      o.memory_limit = cfg.value("memory-limit-mb", int64_t{0}) << 20;
      o.split = cfg.value("split", true);
      o.initial = cfg.value("initial", nlohmann::json());
      o.nil_reads_unknown = cfg.value("nil-reads-unknown", false);
    } catch (const nlohmann::json::exception& e) {
      throw BadInput(std::string("scenario: \"linearizable\": ") + e.what());
    }
    std::vector<size_t> lines;
    std::string name = "history";
    if (cfg.contains("source")) name = cfg["source"].get<std::string>();
    std::vector<std::string> where;
    std::vector<LinOp> ops = pair_operations(ctx.history.ops(), lines, name, &where);
    Report rep = check_operations(ops, o, where);
    if (rep.counterexample && !ctx.out_dir.empty()) {
      std::filesystem::path svg = ctx.out_dir / "linearizable.svg";
      std::string err;
      if (render_dot_svg(rep.counterexample->dot(), "dot", svg, err)) rep.counterexample->svg = svg.string();
      else ECLAT_LOG(warn, "linearizable") << "cannot draw the counterexample: " << err;
      // The time axis needs no Graphviz: it is written here, as plain SVG.
      std::filesystem::path tl = ctx.out_dir / "linearizable-timeline.svg";
      std::ofstream out(tl);
      out << rep.counterexample->timeline();
      if (out.flush()) rep.counterexample->timeline_svg = tl.string();
      else ECLAT_LOG(warn, "linearizable") << "cannot write " << tl.string();
    }
    CheckResult r;
    r.valid = rep.outcome == Outcome::linearizable ? Verdict::valid
              : rep.outcome == Outcome::not_linearizable ? Verdict::invalid : Verdict::unknown;
    r.details = rep.to_json();
    if (rep.counterexample) r.details["counterexample_text"] = rep.counterexample->table();
    r.summary = rep.summary();
    return r;
  }
};

const bool registered = register_checker(
    {.name = "linearizable",
     .doc = "the history against a cas-register per key (Wing & Gong / Lowe search), with a counterexample"},
    [] { return std::make_unique<Linearizable>(); });

}  // namespace
}  // namespace eclat::lin
