#include "nemesis/heal_check.hpp"

#include <cmath>

#include "cluster/connectivity.hpp"
#include "cluster/system.hpp"
#include "nemesis/clock_fault.hpp"

namespace eclat {

nlohmann::json check_healed(NemesisContext& ctx) {
  nlohmann::json r;
  r["broken_links"] = nlohmann::json::array();
  for (const auto& [from, to] : broken_links(ctx.net)) r["broken_links"].push_back({from, to});
  r["paused"] = nlohmann::json::array();
  r["down"] = nlohmann::json::array();
  r["clock_offsets_ms"] = nlohmann::json::object();
  r["clocks_off"] = nlohmann::json::array();
  for (const auto& n : ctx.system.db_nodes()) {
    NodeProcess& p = ctx.system.process(n);
    if (!p.running()) {
      r["down"].push_back(n);
      continue;
    }
    if (p.paused()) {
      r["paused"].push_back(n);
      continue;
    }
    if (p.spec().clock_file.empty()) continue;
    const nlohmann::json off = measured_offset_ms(ctx.system, n);
    if (off.is_null()) continue;
    r["clock_offsets_ms"][n] = off;
    if (std::fabs(off.get<double>()) > 250) r["clocks_off"].push_back(n);
  }
  r["healed"] = r["broken_links"].empty() && r["paused"].empty() && r["down"].empty() && r["clocks_off"].empty();
  return r;
}

}  // namespace eclat
