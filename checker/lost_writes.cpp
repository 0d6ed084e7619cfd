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

#include "checker/checker.hpp"
#include "checker/set_history.hpp"

namespace eclat {
namespace {

constexpr int64_t kNever = kSetNever;
constexpr FlagSetting kLinearizableReads{
    "linearizable-reads", false, "lost-writes: a read missing an acknowledged element that shows up later (stale) is invalid"};

// Per element, what the reads showed.
struct Sightings {
  int64_t known = kNever;        // ack_time, or just before the first sighting's invocation
  int64_t last_present = -1;     // index (in invocation order) of the last read that saw it
  int64_t run_start = -1;        // first read of its current unbroken run of sightings
  int64_t last_seen_time = -1;   // completion time of the last read that saw it
  int64_t seen_in = -1;          // the read being scanned saw it already (duplicates)
};

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
    // A history file not yet in memory is read the lean way.
    const auto* file = ctx.history.unread_jsonl_file();
    SetHistory h = file ? read_set_history(*file)
                        : set_history_of(ctx.history.ops(), ctx.history.lines(), ctx.history.name());
    return judge(h, ctx.scenario);
  }

  static CheckResult judge(SetHistory& h, const nlohmann::json& scenario) {
    const int64_t attempts = h.attempts;
    auto& reads = h.reads;
    std::stable_sort(reads.begin(), reads.end(),
                     [](const SetHistory::Read& a, const SetHistory::Read& b) { return a.invoke_time < b.invoke_time; });

    // Reads in invocation order.
    std::vector<Sightings> seen(h.elements.size());
    for (size_t ei = 0; ei < seen.size(); ++ei) seen[ei].known = h.adds[ei].ack_time;
    std::vector<uint32_t> duplicated_ids, unexpected_ids;
    for (size_t r = 0; r < reads.size(); ++r) {
      const SetHistory::Read& read = reads[r];
      for (size_t i = read.begin; i < read.end; ++i) {
        const uint32_t ei = h.items[i];
        if (!h.adds[ei].attempted) {
          unexpected_ids.push_back(ei);
          continue;
        }
        Sightings& e = seen[ei];
        if (e.seen_in == static_cast<int64_t>(r)) {
          duplicated_ids.push_back(ei);
          continue;
        }
        e.seen_in = static_cast<int64_t>(r);
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
    auto values = [&h](const std::vector<uint32_t>& ids) {
      std::vector<nlohmann::json> out;
      out.reserve(ids.size());
      for (uint32_t id : ids) out.push_back(h.elements.value(id));
      return out;
    };
    std::vector<nlohmann::json> duplicated = values(duplicated_ids), unexpected = values(unexpected_ids);
    // Misses: reads invoked after `known` minus sightings among them.
    std::vector<int64_t> read_starts;
    for (const auto& r : reads) read_starts.push_back(r.invoke_time);

    int64_t acknowledged = 0, failed = 0, indeterminate = 0, stable = 0, stale = 0, never_read = 0,
            recovered = 0, not_recovered = 0;
    std::vector<nlohmann::json> lost, stale_values, failed_present, never_read_values;
    nlohmann::json lost_detail = nlohmann::json::array();
    std::vector<int64_t> latencies;
    for (size_t ei = 0; ei < seen.size(); ++ei) {
      const SetHistory::Add& add = h.adds[ei];
      const Sightings& e = seen[ei];
      if (!add.attempted) continue;  // only read: reported as unexpected above
      if (add.outcome == SetHistory::ok) ++acknowledged;
      else if (add.outcome == SetHistory::fail) ++failed;
      else ++indeterminate;
      if (add.outcome == SetHistory::fail) {
        if (e.last_present >= 0) failed_present.push_back(h.elements.value(static_cast<uint32_t>(ei)));
        continue;
      }
      if (add.outcome != SetHistory::ok) {
        if (e.last_present >= 0) ++recovered;
        else { ++not_recovered; continue; }
      }
      auto first_after = std::upper_bound(read_starts.begin(), read_starts.end(), e.known) - read_starts.begin();
      if (first_after == static_cast<int64_t>(reads.size())) {
        ++never_read;
        if (never_read_values.size() < 1000) never_read_values.push_back(h.elements.value(static_cast<uint32_t>(ei)));
        continue;
      }
      if (e.last_present != static_cast<int64_t>(reads.size()) - 1) {
        lost.push_back(h.elements.value(static_cast<uint32_t>(ei)));
        if (lost_detail.size() < 1000)
          lost_detail.push_back({{"element", lost.back()},
                               {"acknowledged_ns", add.ack_time == kNever ? nlohmann::json(nullptr) : nlohmann::json(add.ack_time)},
                               {"last_seen_ns", e.last_seen_time < 0 ? nlohmann::json(nullptr) : nlohmann::json(e.last_seen_time)}});
        continue;
      }
      bool all_after = e.run_start <= first_after;
      if (all_after) ++stable;
      else {
        ++stale;
        if (stale_values.size() < 1000) stale_values.push_back(h.elements.value(static_cast<uint32_t>(ei)));
      }
      if (add.outcome == SetHistory::ok)
        latencies.push_back(std::max<int64_t>(0, reads[e.run_start].invoke_time - add.ack_time));
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

    const std::string strict = scenario.is_object() && scenario.contains("set") && scenario["set"].is_object()
                                   ? scenario["set"].value(kLinearizableReads.key, "false")
                                   : "false";
    const bool linearizable_reads = strict == "true" || strict == "1" || strict == "on";
    if (reads.empty()) {
      r.valid = Verdict::unknown;
      r.summary = "no successful read: cannot tell what survived (" + std::to_string(acknowledged) +
                  " acknowledged adds)";
      return r;
    }
    bool bad = !lost.empty() || !duplicated.empty() || !unexpected.empty() || !failed_present.empty() ||
               (linearizable_reads && stale > 0);
    if (!bad && acknowledged == 0 && recovered == 0) {
      // Nothing was acknowledged nor seen, so nothing could be lost: "valid"
      // would be a verdict on no evidence (every add refused, or none tried).
      r.valid = Verdict::unknown;
      r.summary = "no add was acknowledged (" + std::to_string(attempts) +
                  " attempted): nothing could be lost, so nothing is shown";
      return r;
    }
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

const bool registered = register_checker(
    {.name = "lost-writes",
     .doc = "Jepsen's set-full: every acknowledged add is in the final read (lost, stale, duplicated, unexpected...)",
     .settings = {&kLinearizableReads}},
    [] { return std::make_unique<SetFull>(); });

}  // namespace
}  // namespace eclat
