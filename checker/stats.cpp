// stats: ok / fail / info counts overall and per operation kind. A kind that
// was invoked but never succeeded makes the run unknown: a run in which no
// write ever got through proves nothing about lost writes.
#include <map>
#include <unordered_map>

#include "checker/checker.hpp"

namespace eclat {
namespace {

class Stats : public Checker {
 public:
  CheckResult check(const CheckContext& ctx) const override {
    struct Counts {
      int64_t invoke = 0, ok = 0, fail = 0, info = 0;
    };
    std::map<std::string, Counts> by_f;
    Counts all;
    std::unordered_map<int64_t, std::string> open;
    for (const Op& op : ctx.history.ops()) {
      if (op.is_nemesis()) continue;
      Counts& c = by_f[op.f];
      switch (op.type) {
        case OpType::invoke: ++c.invoke; ++all.invoke; open[op.process] = op.f; break;
        case OpType::ok: ++c.ok; ++all.ok; open.erase(op.process); break;
        case OpType::fail: ++c.fail; ++all.fail; open.erase(op.process); break;
        case OpType::info: ++c.info; ++all.info; open.erase(op.process); break;
      }
    }
    auto to_json = [](const Counts& c) {
      return nlohmann::json{{"count", c.invoke}, {"ok", c.ok}, {"fail", c.fail}, {"info", c.info}};
    };
    CheckResult r;
    r.valid = Verdict::valid;
    r.details = to_json(all);
    r.details["by_f"] = nlohmann::json::object();
    r.details["pending"] = open.size();  // invoked, never completed (a killed run)
    std::string never;
    for (const auto& [f, c] : by_f) {
      r.details["by_f"][f] = to_json(c);
      if (c.invoke > 0 && c.ok == 0) {
        r.valid = Verdict::unknown;
        never += (never.empty() ? "" : ", ") + f;
      }
    }
    r.summary = std::to_string(all.invoke) + " operations: " + std::to_string(all.ok) + " ok, " +
                std::to_string(all.fail) + " fail, " + std::to_string(all.info) + " info";
    if (!never.empty()) r.summary += "; never succeeded: " + never;
    if (all.invoke == 0) {
      r.valid = Verdict::unknown;  // a verdict needs operations to stand on
      r.summary += ": the history holds no client operation";
    }
    return r;
  }
};

const bool registered = register_checker({.name = "stats", .doc = "per kind of operation: how many ok, fail, info; unknown when a kind never succeeded"},
                                          [] { return std::make_unique<Stats>(); });

}  // namespace
}  // namespace eclat
