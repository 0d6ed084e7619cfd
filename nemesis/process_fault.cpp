#include "nemesis/process_fault.hpp"

#include <chrono>

#include "core/log.hpp"

namespace eclat {

nlohmann::json ProcessFault::restart(NemesisContext& ctx, const std::string& node) {
  nlohmann::json r = {{"node", node}};
  try {
    ctx.system.process(node).restart();
    ctx.system.wait_ready(node, ms_of(kReadyTimeout, ctx.cfg));
    r["ready"] = true;
  } catch (const std::exception& e) {
    ECLAT_LOG(error, "nemesis") << "restart of " << node << " failed: " << e.what();
    r["ready"] = false;
    r["error"] = e.what();
  }
  return r;
}

}  // namespace eclat
