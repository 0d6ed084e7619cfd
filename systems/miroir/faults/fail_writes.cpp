// fail-writes: a storage node starts refusing writes (a definite application
// error, not a lost packet) with probability --set fail-writes-probability=P
// (default 1), optionally only writes of documents of some shards
// (--set fail-writes-shards=1,5); stop() clears it. The node is a random
// running one, or --set fail-writes-node=new (the node added last, e.g. on a
// migration trigger) or a node name. This is the
// fault that tells a system which counts refusals as acknowledgements
// (miroir's ack-any-status) from one that does not: the refused documents
// are on no node, yet the client would have heard "ok".
#include <algorithm>

#include "cluster/system.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "systems/miroir/hooks.hpp"

namespace eclat {
namespace {

constexpr NumberSetting kProbability{"fail-writes-probability", 1, 0, 1,
                                    "fail-writes fault: probability that the chosen node refuses a write"};
constexpr TextSetting kNode{"fail-writes-node", "random",
                            "fail-writes fault: random, new (the node added last) or a node name"};
constexpr TextSetting kShards{"fail-writes-shards", "", "fail-writes fault: comma-separated shards whose writes fail",
                              nullptr, "all"};

class FailWrites : public Fault {
 public:
  void validate(const TestConfig& cfg, const System& system) const override {
    require_miroir("nemesis fail-writes", cfg, system);
    kProbability(cfg.settings);
    shards_of(cfg);
  }

  nlohmann::json plan(NemesisContext& ctx) override {
    std::string target = kNode(ctx.cfg.settings);
    if (target == "new") {
      target = miroir_hooks(ctx).newest_node();
      if (target.empty()) return {{"nodes", nlohmann::json::array()}, {"note", "no node was added yet"}};
    } else if (target == "random") {
      std::vector<std::string> up;
      for (const auto& n : ctx.system.db_nodes())
        if (ctx.system.process(n).running()) up.push_back(n);
      if (up.empty()) return {{"nodes", nlohmann::json::array()}, {"note", "no node running"}};
      target = up[std::uniform_int_distribution<size_t>(0, up.size() - 1)(ctx.rng)];
    }
    return {{"nodes", {target}}};
  }

  nlohmann::json start(NemesisContext& ctx, const nlohmann::json& plan) override {
    const double p = kProbability(ctx.cfg.settings);
    const auto shards = shards_of(ctx.cfg);
    if (!plan.contains("nodes") || plan["nodes"].empty()) return plan;
    const std::string target = plan["nodes"][0].get<std::string>();
    miroir_hooks(ctx).fail_writes(target, p, shards);
    failing_.push_back(target);
    nlohmann::json r = {{"nodes", {target}}, {"probability", p}};
    if (!shards.empty()) r["shards"] = shards;
    return r;
  }

  nlohmann::json stop(NemesisContext& ctx) override {
    nlohmann::json cleared = nlohmann::json::array();
    for (const auto& n : failing_) cleared.push_back(clear(ctx, n));
    failing_.clear();
    return {{"cleared", cleared}};
  }

  // The hook is in memory on the node: a restarted node has none, a running
  // one is told again. Every node, whatever start() did.
  nlohmann::json heal(NemesisContext& ctx) override {
    failing_.clear();
    nlohmann::json cleared = nlohmann::json::array();
    for (const auto& n : ctx.system.db_nodes())
      if (ctx.system.process(n).running()) cleared.push_back(clear(ctx, n));
    return {{"cleared", cleared}};
  }

 private:
  static std::vector<uint32_t> shards_of(const TestConfig& cfg) {
    std::vector<uint32_t> shards;
    const std::string text = kShards(cfg.settings);
    size_t start = 0;
    while (start < text.size()) {
      size_t comma = text.find(',', start);
      std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      size_t used = 0;
      unsigned long v = 0;
      try {
        v = std::stoul(item, &used);
      } catch (...) {
        used = 0;
      }
      if (used == 0 || used != item.size() || v > 1u << 20)
        throw BadInput("setting fail-writes-shards=" + text + ": \"" + item + "\" is not a shard number");
      shards.push_back(static_cast<uint32_t>(v));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return shards;
  }

  static nlohmann::json clear(NemesisContext& ctx, const std::string& node) {
    nlohmann::json r = {{"node", node}};
    try {
      miroir_hooks(ctx).fail_writes(node, 0);
      r["ok"] = true;
    } catch (const std::exception& e) {
      // A node that is down has no fault left to clear when it comes back.
      ECLAT_LOG(warn, "nemesis") << "clearing fail-writes on " << node << ": " << e.what();
      r["ok"] = false;
      r["error"] = e.what();
    }
    return r;
  }

  std::vector<std::string> failing_;
};

const bool registered = register_fault({.name = "fail-writes",
                                         .doc = "a node refuses writes (a definite error) with fail-writes-probability",
                                         .settings = {&kProbability, &kNode, &kShards},
                                         .colour = "#e377c2"},
                                        [] { return std::make_unique<FailWrites>(); });

}  // namespace
}  // namespace eclat
