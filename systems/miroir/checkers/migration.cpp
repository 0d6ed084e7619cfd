// migration: what a run with shard migrations needs beyond "was anything
// lost": the loss per shard, the loss among writes acknowledged while a
// migration dual-wrote (the seed documents' "~2 %" is that ratio), and each
// migration's phases, counters and the coordinator's decisions.
//   lost      an add acknowledged (ok) and absent from the final read of the
//             whole set (the last successful read without a key)
//   windows   dual-write of a migration: from its phase:dual-write event to
//             its next phase event (the history's "migration" operations);
//             "during dual-write" counts writes to the moving shards (from the
//             final migration status) acknowledged in such a window
// Invalid when something was lost; unknown when a migration was still running
// at the end or there is no final read; valid otherwise (a migration refused
// by the safety gate is reported, not judged).
#include <algorithm>
#include <map>
#include <set>

#include "checker/checker.hpp"
#include "systems/miroir/checkers/inspection.hpp"
#include "miroir/common/routing.hpp"

namespace eclat {
namespace {

std::string element_key(const nlohmann::json& e) { return e.is_string() ? e.get<std::string>() : e.dump(); }

class MigrationReport : public Checker {
 public:
  CheckResult check(const CheckContext& ctx) const override {
    const History& h = ctx.history.ops();
    CheckResult r;

    // Dual-write windows, per migration.
    struct Window {
      int64_t start = -1, end = -1;
    };
    std::map<std::string, Window> windows;
    for (const Op& op : h) {
      if (!op.is_nemesis() || op.f != "migration" || !op.value.is_object()) continue;
      if (op.value.value("shard", -1) != -1) continue;
      Window& w = windows[op.value.value("migration_id", "")];
      const std::string phase = op.value.value("phase", "");
      if (phase == "dual-write" && w.start < 0) w.start = op.time;
      else if (w.start >= 0 && w.end < 0 && phase != "dual-write" && phase != "computing") w.end = op.time;
    }
    const int64_t end_of_history = h.empty() ? 0 : h.back().time;
    auto during_dual_write = [&](int64_t t) {
      for (const auto& [_, w] : windows)
        if (w.start >= 0 && t >= w.start && t <= (w.end < 0 ? end_of_history : w.end)) return true;
      return false;
    };

    const Op* final_read = nullptr;
    for (auto it = h.rbegin(); it != h.rend() && !final_read; ++it)
      if (!it->is_nemesis() && it->type == OpType::ok && it->f == "read" && !it->key && it->value.is_array())
        final_read = &*it;

    uint32_t shards = 16;
    if (const Op* inspect = last_ok(h, "inspect"); inspect && inspect->value.is_object())
      shards = inspect->value.value("shards", 16u);
    else if (ctx.scenario.contains("set") && ctx.scenario["set"].contains("shards"))
      shards = static_cast<uint32_t>(std::stoul(ctx.scenario["set"]["shards"].get<std::string>()));

    std::set<std::string> present;
    if (final_read)
      for (const auto& e : final_read->value) present.insert(element_key(e));

    nlohmann::json migrations = nlohmann::json::array();
    bool running = false;
    if (const Op* m = last_ok(h, "migrations"); m && m->value.is_object()) {
      migrations = m->value.value("migrations", nlohmann::json::array());
      running = !m->value.value("done", false);
    } else {
      for (auto it = h.rbegin(); it != h.rend(); ++it)
        if (!it->is_nemesis() && it->f == "migrations" && it->type != OpType::invoke) {
          running = true;  // the wait ended without every migration finished
          if (it->value.is_object()) migrations = it->value.value("migrations", nlohmann::json::array());
          break;
        }
    }
    // The shards the migrations moved: only writes to them were dual-written.
    std::set<uint32_t> moving;
    for (const auto& m : migrations)
      for (const auto& mv : m.value("shards", nlohmann::json::array())) moving.insert(mv.value("shard", 0u));

    std::map<int64_t, const Op*> open;
    struct PerShard {
      uint64_t acknowledged = 0, lost = 0;
    };
    std::map<uint32_t, PerShard> per_shard;
    uint64_t acked = 0, lost = 0, acked_dw = 0, lost_dw = 0;
    nlohmann::json lost_sample = nlohmann::json::array();
    for (const Op& op : h) {
      if (op.is_nemesis()) continue;
      if (op.type == OpType::invoke) {
        if (op.f == "add") open[op.process] = &op;
        continue;
      }
      auto it = open.find(op.process);
      if (it == open.end()) continue;
      const Op& inv = *it->second;
      open.erase(it);
      if (op.type != OpType::ok) continue;
      const std::string id = element_key(inv.value);
      const uint32_t shard = miroir::shard_for_key(id, shards);
      const bool dw = during_dual_write(op.time) && (moving.empty() || moving.count(shard));
      const bool gone = final_read && !present.count(id);
      ++acked;
      ++per_shard[shard].acknowledged;
      if (dw) ++acked_dw;
      if (!gone) continue;
      ++lost;
      ++per_shard[shard].lost;
      if (dw) ++lost_dw;
      if (lost_sample.size() < 20) lost_sample.push_back(inv.value);
    }

    nlohmann::json shards_json = nlohmann::json::object();
    for (const auto& [s, c] : per_shard)
      shards_json[std::to_string(s)] = {{"acknowledged", c.acknowledged}, {"lost", c.lost}};
    nlohmann::json refused = nlohmann::json::array();
    for (const Op& op : h)
      if (op.is_nemesis() && op.value.is_object() && op.value.contains("refused")) refused.push_back(op.value);

    const double ratio = acked_dw ? static_cast<double>(lost_dw) / static_cast<double>(acked_dw) : 0.0;
    r.details = {{"acknowledged", acked},
                 {"lost", lost},
                 {"lost_sample", lost_sample},
                 {"acknowledged_during_dual_write", acked_dw},
                 {"lost_during_dual_write", lost_dw},
                 {"lost_ratio_during_dual_write", ratio},
                 {"moving_shards", moving},
                 {"per_shard", shards_json},
                 {"migrations", migrations},
                 {"refused", refused}};
    std::string phases;
    for (const auto& m : migrations)
      phases += (phases.empty() ? "" : ", ") + m.value("id", "?") + " " + m.value("phase", "?");
    if (!final_read) {
      r.valid = Verdict::unknown;
      r.summary = "no final read of the whole set";
    } else if (lost > 0) {
      r.valid = Verdict::invalid;
      char pct[32];
      std::snprintf(pct, sizeof pct, "%.2f %%", 100 * ratio);
      r.summary = std::to_string(lost) + " of " + std::to_string(acked) + " acknowledged writes lost; " +
                  std::to_string(lost_dw) + " of " + std::to_string(acked_dw) +
                  " acknowledged during dual-write (" + pct + ")";
    } else if (running) {
      r.valid = Verdict::unknown;
      r.summary = "a migration was still running at the end: " + phases;
    } else {
      r.valid = Verdict::valid;
      r.summary = "0 lost of " + std::to_string(acked) + " acknowledged (" + std::to_string(acked_dw) +
                  " during dual-write)" + (phases.empty() ? "; no migration ran" : "; " + phases);
      if (!refused.empty()) r.summary += "; refused: " + refused[0].value("refused", "");
    }
    return r;
  }
};

const bool registered = register_checker({.name = "migration", .doc = "loss per shard and among writes to moving shards acknowledged during dual-write; the migrations' counters and decisions"},
                                          [] { return std::make_unique<MigrationReport>(); });

}  // namespace
}  // namespace eclat
