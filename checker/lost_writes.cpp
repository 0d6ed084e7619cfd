// lost-writes: the set checker of the walking skeleton. Every element whose
// add was acknowledged (ok) must be in the final read. An add that ended info
// (or never completed) may be present or absent: counted as recovered or not.
// An element read but never added is unexpected; an element whose add failed
// (certainly not applied) but is present means the system lied; an element
// read twice in one read is duplicated. Any of those makes the run invalid.
// Without a successful final read nothing can be said: unknown.
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "checker/checker.hpp"

namespace eclat {
namespace {

std::string element_key(const nlohmann::json& v) { return v.dump(); }

nlohmann::json sample(const std::vector<nlohmann::json>& xs, size_t cap = 1000) {
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < xs.size() && i < cap; ++i) out.push_back(xs[i]);
  return out;
}

class LostWrites : public Checker {
 public:
  CheckResult check(const CheckContext& ctx) const override {
    enum class Outcome { pending, ok, fail, info };
    struct Add {
      nlohmann::json element;
      Outcome outcome = Outcome::pending;
      int64_t ack_time = -1;
    };
    std::unordered_map<std::string, Add> adds;      // by element
    std::unordered_map<int64_t, std::string> open;  // process -> element of its pending add
    const Op* final_read = nullptr;
    int64_t attempts = 0;

    for (const Op& op : ctx.history) {
      if (op.is_nemesis()) continue;
      if (op.f == "add") {
        if (op.type == OpType::invoke) {
          ++attempts;
          std::string k = element_key(op.value);
          adds.emplace(k, Add{op.value});
          open[op.process] = k;
          continue;
        }
        auto it = open.find(op.process);
        if (it == open.end()) continue;
        Add& a = adds[it->second];
        open.erase(it);
        if (op.type == OpType::ok) {
          a.outcome = Outcome::ok;
          a.ack_time = op.time;
        } else if (op.type == OpType::fail) {
          a.outcome = Outcome::fail;
        } else {
          a.outcome = Outcome::info;
        }
      } else if (op.f == "read" && op.type == OpType::ok && op.value.is_array()) {
        final_read = &op;
      }
    }

    CheckResult r;
    int64_t acknowledged = 0, failed = 0, indeterminate = 0;
    for (const auto& [_, a] : adds) {
      if (a.outcome == Outcome::ok) ++acknowledged;
      else if (a.outcome == Outcome::fail) ++failed;
      else ++indeterminate;  // info, or no completion at all (a killed run)
    }
    r.details["attempted"] = attempts;
    r.details["acknowledged"] = acknowledged;
    r.details["failed"] = failed;
    r.details["indeterminate"] = indeterminate;
    if (!final_read) {
      r.valid = Verdict::unknown;
      r.summary = "no successful final read: cannot tell what survived (" +
                  std::to_string(acknowledged) + " acknowledged adds)";
      return r;
    }

    std::map<std::string, int> seen;
    for (const auto& v : final_read->value) ++seen[element_key(v)];

    std::vector<nlohmann::json> lost, unexpected, duplicated, failed_present;
    int64_t recovered = 0, not_recovered = 0, stable = 0;
    for (const auto& [k, a] : adds) {
      bool present = seen.count(k) > 0;
      switch (a.outcome) {
        case Outcome::ok:
          if (present) ++stable;
          else lost.push_back(a.element);
          break;
        case Outcome::fail:
          if (present) failed_present.push_back(a.element);
          break;
        default:
          if (present) ++recovered;
          else ++not_recovered;
      }
    }
    for (const auto& [k, n] : seen) {
      if (!adds.count(k)) unexpected.push_back(nlohmann::json::parse(k));
      if (n > 1) duplicated.push_back(nlohmann::json::parse(k));
    }
    auto by_value = [](const nlohmann::json& a, const nlohmann::json& b) { return a < b; };
    for (auto* v : {&lost, &unexpected, &duplicated, &failed_present})
      std::sort(v->begin(), v->end(), by_value);

    r.details["read_count"] = final_read->value.size();
    r.details["final_read_index"] = final_read->index;
    r.details["stable"] = stable;
    r.details["lost_count"] = lost.size();
    r.details["lost"] = sample(lost);
    r.details["recovered"] = recovered;
    r.details["not_recovered"] = not_recovered;
    r.details["unexpected_count"] = unexpected.size();
    r.details["unexpected"] = sample(unexpected);
    r.details["duplicated_count"] = duplicated.size();
    r.details["duplicated"] = sample(duplicated);
    r.details["failed_but_present_count"] = failed_present.size();
    r.details["failed_but_present"] = sample(failed_present);

    bool bad = !lost.empty() || !unexpected.empty() || !duplicated.empty() || !failed_present.empty();
    r.valid = bad ? Verdict::invalid : Verdict::valid;
    r.summary = std::to_string(acknowledged) + " acknowledged, " + std::to_string(lost.size()) +
                " lost, " + std::to_string(recovered) + " of " +
                std::to_string(recovered + not_recovered) + " indeterminate recovered, " +
                std::to_string(unexpected.size()) + " unexpected, " +
                std::to_string(duplicated.size()) + " duplicated, " +
                std::to_string(failed_present.size()) + " failed-but-present";
    return r;
  }
};

const bool registered =
    register_checker("lost-writes", [] { return std::make_unique<LostWrites>(); });

}  // namespace
}  // namespace eclat
