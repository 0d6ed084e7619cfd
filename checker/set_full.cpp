// set-full (results name "lost-writes"): Jepsen's set-full checker, without
// its blind spots. For every element added: when it became known (its add was
// acknowledged, or for an indeterminate add, the first read that saw it) and
// every read that began after that (for an indeterminate add, from the read
// that first saw it) and saw it or missed it. Outcomes:
//   stable      present in every read that began after it was known
//   stale       missed by such a read, present again later
//   lost        known, then missing from the last read (and so from every read
//               after its last sighting)
//   never-read  acknowledged, but no read began after that
//   recovered   an indeterminate (info) add that some read saw
// and, across elements:
//   duplicated  an element read more than once within a single read (Jepsen's
//               version of this check never fires: it reads into a set)
//   unexpected  read but never added
//   failed-but-present  its add failed (certainly not applied) yet it was read
// Valid unless something is lost, duplicated, unexpected or failed-but-present;
// stale elements are invalid only with --set linearizable-reads=true. Without
// a successful read after the adds there is nothing to judge: unknown.
//
// Latency of an element: from its acknowledgement to the invocation of the
// first read of the unbroken run of reads, up to the last one, that all saw
// it (0 when that read began before the acknowledgement).
//
// Reads are processed in invocation order; each element keeps a few integers,
// so the cost is linear in the total size of the reads.
#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "checker/checker.hpp"

namespace eclat {
namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

struct Element {
  nlohmann::json value;
  enum Outcome : uint8_t { pending, ok, fail, info } add = pending;
  int64_t ack_time = kNever;     // completion of an ok add
  int64_t known = kNever;        // ack_time, or just before the first sighting's invocation
  int64_t last_present = -1;     // index of the last read that saw it
  int64_t run_start = -1;        // first read of its current unbroken run of sightings
  int64_t last_seen_time = -1;   // completion time of the last read that saw it
  bool attempted = false;
};

struct Read {
  int64_t invoke_time, complete_time, index;
  const nlohmann::json* elements;
};

// Elements are usually integers: key them without serialising; anything else
// by its JSON text.
struct Key {
  bool is_int;
  int64_t i;
  std::string s;
  bool operator==(const Key& o) const { return is_int == o.is_int && (is_int ? i == o.i : s == o.s); }
};
struct KeyHash {
  size_t operator()(const Key& k) const {
    return k.is_int ? std::hash<int64_t>()(k.i) : std::hash<std::string>()(k.s);
  }
};
Key key_of(const nlohmann::json& v) {
  if (v.is_number_integer()) return {true, v.get<int64_t>(), {}};
  return {false, 0, v.dump()};
}

nlohmann::json quantiles(std::vector<int64_t> xs) {
  nlohmann::json q = nlohmann::json::object();
  if (xs.empty()) return q;
  std::sort(xs.begin(), xs.end());
  for (double p : {0.0, 0.5, 0.95, 0.99, 1.0}) {
    size_t i = std::min(xs.size() - 1, static_cast<size_t>(std::floor(p * (xs.size() - 1) + 0.5)));
    char name[8];
    snprintf(name, sizeof name, "%g", p);
    q[name] = xs[i] / 1e6;  // milliseconds
  }
  return q;
}

class SetFull : public Checker {
 public:
  CheckResult check(const CheckContext& ctx) const override {
    std::unordered_map<Key, size_t, KeyHash> index;
    std::vector<Element> elements;
    auto element = [&](const nlohmann::json& v) -> Element& {
      auto [it, fresh] = index.try_emplace(key_of(v), elements.size());
      if (fresh) {
        elements.emplace_back();
        elements.back().value = v;
      }
      return elements[it->second];
    };

    // Pass 1: adds and the reads' time spans, pairing completions by process.
    std::unordered_map<int64_t, const Op*> open;
    std::vector<Read> reads;
    int64_t attempts = 0;
    for (const Op& op : ctx.history) {
      if (op.is_nemesis()) continue;
      if (op.type == OpType::invoke) {
        open[op.process] = &op;
        if (op.f == "add") {
          Element& e = element(op.value);
          e.attempted = true;
          ++attempts;
        }
        continue;
      }
      auto it = open.find(op.process);
      if (it == open.end()) continue;
      const Op* inv = it->second;
      open.erase(it);
      if (op.f == "add") {
        Element& e = element(inv->value);
        if (op.type == OpType::ok) {
          e.add = Element::ok;
          e.ack_time = op.time;
          e.known = op.time;
        } else {
          e.add = op.type == OpType::fail ? Element::fail : Element::info;
        }
      } else if (op.f == "read" && op.type == OpType::ok && op.value.is_array()) {
        reads.push_back({inv->time, op.time, op.index, &op.value});
      }
    }
    for (auto& [_, inv] : open) {  // adds never completed (a killed run)
      if (inv->f == "add") element(inv->value).add = Element::info;
    }
    std::stable_sort(reads.begin(), reads.end(),
                     [](const Read& a, const Read& b) { return a.invoke_time < b.invoke_time; });

    // Pass 2: reads in invocation order.
    std::vector<nlohmann::json> duplicated, unexpected;
    std::vector<int64_t> seen_in(elements.size(), -1);
    for (size_t r = 0; r < reads.size(); ++r) {
      const Read& read = reads[r];
      for (const auto& v : *read.elements) {
        auto it = index.find(key_of(v));
        if (it == index.end()) {
          unexpected.push_back(v);
          continue;
        }
        size_t ei = it->second;
        Element& e = elements[ei];
        if (seen_in[ei] == static_cast<int64_t>(r)) {
          duplicated.push_back(v);
          continue;
        }
        seen_in[ei] = static_cast<int64_t>(r);
        // An indeterminate add becomes known when a read sees it; that read
        // itself counts as the first read after it was known.
        if (e.known == kNever) e.known = read.invoke_time - 1;
        // Was there a miss since the last sighting? Reads that began before
        // the element was known do not count.
        bool broken = e.last_present != static_cast<int64_t>(r) - 1 && r > 0 && reads[r - 1].invoke_time > e.known;
        if (e.run_start < 0 || broken) e.run_start = static_cast<int64_t>(r);
        e.last_present = static_cast<int64_t>(r);
        e.last_seen_time = read.complete_time;
      }
    }
    // Misses: reads invoked after `known` minus sightings among them.
    std::vector<int64_t> read_starts;
    for (const auto& r : reads) read_starts.push_back(r.invoke_time);

    int64_t acknowledged = 0, failed = 0, indeterminate = 0, stable = 0, stale = 0, never_read = 0,
            recovered = 0, not_recovered = 0;
    std::vector<nlohmann::json> lost, stale_values, failed_present, never_read_values;
    nlohmann::json lost_detail = nlohmann::json::array();
    std::vector<int64_t> latencies;
    for (size_t ei = 0; ei < elements.size(); ++ei) {
      Element& e = elements[ei];
      if (!e.attempted) continue;  // only read: reported as unexpected above
      if (e.add == Element::ok) ++acknowledged;
      else if (e.add == Element::fail) ++failed;
      else ++indeterminate;
      if (e.add == Element::fail) {
        if (e.last_present >= 0) failed_present.push_back(e.value);
        continue;
      }
      if (e.add != Element::ok) {
        if (e.last_present >= 0) ++recovered;
        else { ++not_recovered; continue; }
      }
      auto first_after = std::upper_bound(read_starts.begin(), read_starts.end(), e.known) - read_starts.begin();
      if (first_after == static_cast<int64_t>(reads.size())) {
        ++never_read;
        if (never_read_values.size() < 1000) never_read_values.push_back(e.value);
        continue;
      }
      if (e.last_present != static_cast<int64_t>(reads.size()) - 1) {
        lost.push_back(e.value);
        lost_detail.push_back({{"element", e.value},
                               {"acknowledged_ns", e.ack_time == kNever ? nlohmann::json(nullptr) : nlohmann::json(e.ack_time)},
                               {"last_seen_ns", e.last_seen_time < 0 ? nlohmann::json(nullptr) : nlohmann::json(e.last_seen_time)}});
        continue;
      }
      bool all_after = e.run_start <= first_after;
      if (all_after) ++stable;
      else {
        ++stale;
        if (stale_values.size() < 1000) stale_values.push_back(e.value);
      }
      if (e.add == Element::ok)
        latencies.push_back(std::max<int64_t>(0, reads[e.run_start].invoke_time - e.ack_time));
    }

    CheckResult r;
    auto sample = [](std::vector<nlohmann::json>& xs) {
      std::sort(xs.begin(), xs.end());
      nlohmann::json a = nlohmann::json::array();
      for (size_t i = 0; i < xs.size() && i < 1000; ++i) a.push_back(xs[i]);
      return a;
    };
    r.details["attempted"] = attempts;
    r.details["acknowledged"] = acknowledged;
    r.details["failed"] = failed;
    r.details["indeterminate"] = indeterminate;
    r.details["read_count"] = reads.size();
    r.details["stable"] = stable;
    r.details["stale_count"] = stale;
    r.details["stale"] = sample(stale_values);
    r.details["never_read_count"] = never_read;
    r.details["never_read"] = sample(never_read_values);
    r.details["recovered"] = recovered;
    r.details["not_recovered"] = not_recovered;
    r.details["lost_count"] = lost.size();
    r.details["lost"] = sample(lost);
    if (lost_detail.size() > 1000) lost_detail.erase(lost_detail.begin() + 1000, lost_detail.end());
    r.details["lost_detail"] = lost_detail;
    r.details["duplicated_count"] = duplicated.size();
    r.details["duplicated"] = sample(duplicated);
    r.details["unexpected_count"] = unexpected.size();
    r.details["unexpected"] = sample(unexpected);
    r.details["failed_but_present_count"] = failed_present.size();
    r.details["failed_but_present"] = sample(failed_present);
    r.details["stable_latency_ms"] = quantiles(latencies);

    const bool linearizable_reads =
        ctx.scenario.is_object() && ctx.scenario.contains("set") &&
        ctx.scenario["set"].value("linearizable-reads", "false") == "true";
    if (reads.empty()) {
      r.valid = Verdict::unknown;
      r.summary = "no successful read: cannot tell what survived (" + std::to_string(acknowledged) +
                  " acknowledged adds)";
      return r;
    }
    bool bad = !lost.empty() || !duplicated.empty() || !unexpected.empty() || !failed_present.empty() ||
               (linearizable_reads && stale > 0);
    r.valid = bad ? Verdict::invalid : Verdict::valid;
    r.summary = std::to_string(acknowledged) + " acknowledged and " + std::to_string(recovered) + " of " +
                std::to_string(recovered + not_recovered) + " indeterminate seen: " + std::to_string(stable) +
                " stable, " + std::to_string(lost.size()) + " lost, " + std::to_string(stale) + " stale, " +
                std::to_string(never_read) + " never read; " + std::to_string(duplicated.size()) +
                " duplicated, " + std::to_string(unexpected.size()) + " unexpected, " +
                std::to_string(failed_present.size()) + " failed-but-present";
    return r;
  }
};

const bool registered = register_checker("lost-writes", [] { return std::make_unique<SetFull>(); });

}  // namespace
}  // namespace eclat
