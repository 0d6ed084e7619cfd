// kill: kill -9 a random storage node; stop() restarts it and waits until it
// answers its health check again.
#include <algorithm>
#include <chrono>

#include "cluster/systems/system.hpp"
#include "core/log.hpp"
#include "nemesis/fault.hpp"

namespace eclat {
namespace {

std::chrono::milliseconds ready_timeout(const NemesisContext& ctx) {
  return std::chrono::milliseconds(
      static_cast<int64_t>(ctx.cfg.settings.get_double("ready-timeout", 20, 1, 3600) * 1000));
}

class Kill : public Fault {
 public:
  nlohmann::json start(NemesisContext& ctx) override {
    std::vector<std::string> alive;
    for (const auto& n : ctx.system.db_nodes())
      if (ctx.system.process(n).running()) alive.push_back(n);
    if (alive.empty()) return {{"nodes", nlohmann::json::array()}, {"note", "no node running"}};
    std::string target = alive[std::uniform_int_distribution<size_t>(0, alive.size() - 1)(ctx.rng)];
    ctx.system.process(target).kill();
    killed_.push_back(target);
    return {{"nodes", {target}}, {"signal", "SIGKILL"}};
  }

  nlohmann::json stop(NemesisContext& ctx) override {
    nlohmann::json restarted = nlohmann::json::array();
    for (const auto& n : killed_) {
      restarted.push_back(restart(ctx, n));
    }
    killed_.clear();
    return {{"restarted", restarted}};
  }

  nlohmann::json heal(NemesisContext& ctx) override {
    killed_.clear();
    nlohmann::json restarted = nlohmann::json::array();
    for (const auto& n : ctx.system.db_nodes()) {
      if (!ctx.system.process(n).running()) restarted.push_back(restart(ctx, n));
    }
    return {{"restarted", restarted}};
  }

 private:
  static nlohmann::json restart(NemesisContext& ctx, const std::string& node) {
    nlohmann::json r = {{"node", node}};
    try {
      ctx.system.process(node).restart();
      ctx.system.wait_ready(node, ready_timeout(ctx));
      r["ready"] = true;
    } catch (const std::exception& e) {
      ECLAT_LOG(error, "nemesis") << "restart of " << node << " failed: " << e.what();
      r["ready"] = false;
      r["error"] = e.what();
    }
    return r;
  }

  std::vector<std::string> killed_;
};

const bool registered = register_fault("kill", [] { return std::make_unique<Kill>(); });

}  // namespace
}  // namespace eclat
