#include "nemesis/process_fault.hpp"

#include <chrono>

#include "core/log.hpp"

namespace eclat {

nlohmann::json ProcessFault::restart(NemesisContext& ctx, const std::string& node) {
  nlohmann::json r = {{"node", node}};
  try {
    ctx.system.process(node).restart();
    ctx.system.wait_ready(node, std::chrono::milliseconds(static_cast<int64_t>(
                                    ctx.cfg.settings.get_double("ready-timeout", 20, 1, 3600) * 1000)));
    r["ready"] = true;
  } catch (const std::exception& e) {
    ECLAT_LOG(error, "nemesis") << "restart of " << node << " failed: " << e.what();
    r["ready"] = false;
    r["error"] = e.what();
  }
  return r;
}

}  // namespace eclat
