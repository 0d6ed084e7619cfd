// clog-swizzle, FoundationDB's swizzle-clog: a random half of the nodes is
// cut off (each from every other node, the clogged ones from each other
// too); when the fault stops they come back one by one, in another random
// order, clog-swizzle-step seconds apart (default 1), so the cluster sees a
// sequence of different partitions while it recovers. The plan holds both
// the clogged nodes and the order of their return.
#include <chrono>
#include <thread>

#include "cluster/system.hpp"
#include "core/test_config.hpp"
#include "nemesis/grudge_fault.hpp"

namespace eclat {
namespace {

constexpr NumberSetting kStep{"clog-swizzle-step", 1, 0, 3600,
                          "clog-swizzle fault: seconds between two clogged nodes coming back"};

class ClogSwizzle : public GrudgeFault {
 public:
  ClogSwizzle()
      : GrudgeFault([](const std::vector<std::string>&, std::mt19937_64&) { return grudge::Grudge{}; }) {}

  void validate(const TestConfig& cfg, const System&) const override {
    kStep(cfg.settings);
  }

  nlohmann::json plan(NemesisContext& ctx) override {
    const auto nodes = ctx.system.db_nodes();
    auto order = shuffled(nodes, ctx.rng);
    order.resize((nodes.size() + 1) / 2);
    std::vector<std::vector<std::string>> components;
    std::vector<std::string> rest = nodes;
    for (const auto& n : order) {
      components.push_back(std::vector<std::string>{n});
      std::erase(rest, n);
    }
    components.push_back(rest);
    return {{"grudge", grudge::to_json(grudge::complete(components))},
            {"clogged", order},
            {"restore_order", shuffled(order, ctx.rng)}};
  }

  nlohmann::json start(NemesisContext& ctx, const nlohmann::json& plan) override {
    restore_order_ = plan.value("restore_order", std::vector<std::string>{});
    return GrudgeFault::start(ctx, plan);
  }

  nlohmann::json stop(NemesisContext& ctx) override {
    const double step = kStep(ctx.cfg.settings);
    nlohmann::json restored = nlohmann::json::array();
    std::set<std::string> clogged(restore_order_.begin(), restore_order_.end());
    for (size_t i = 0; i < restore_order_.size(); ++i) {
      if (i > 0) std::this_thread::sleep_for(std::chrono::duration<double>(step));
      const std::string& n = restore_order_[i];
      clogged.erase(n);
      // Its links with every node no longer clogged come back.
      for (auto links = cut_; const auto& l : links) {
        const std::string& other = l.first == n ? l.second : l.second == n ? l.first : "";
        if (!other.empty() && !clogged.count(other)) restore(ctx, l);
      }
      restored.push_back(n);
    }
    restore_order_.clear();
    auto r = GrudgeFault::stop(ctx);  // whatever is left
    r["restored"] = restored;
    return r;
  }

 private:
  std::vector<std::string> restore_order_;
};

const bool registered = register_fault({.name = "clog-swizzle",
                                         .doc = "a random half of the nodes cut off; they come back one by one, clog-swizzle-step apart",
                                         .settings = {&kStep},
                                         .colour = "#00441b"},
                                        [] { return std::make_unique<ClogSwizzle>(); });

}  // namespace
}  // namespace eclat
