#include "nemesis/grudge_fault.hpp"

#include <algorithm>

#include "cluster/network.hpp"
#include "cluster/system.hpp"
#include "cluster/traffic_control.hpp"
#include "core/errors.hpp"

namespace eclat {

std::vector<std::string> shuffled(std::vector<std::string> nodes, std::mt19937_64& rng) {
  std::shuffle(nodes.begin(), nodes.end(), rng);
  return nodes;
}

nlohmann::json GrudgeFault::plan(NemesisContext& ctx) {
  return {{"grudge", grudge::to_json(shape_(ctx.system.db_nodes(), ctx.rng))}};
}

nlohmann::json GrudgeFault::start(NemesisContext& ctx, const nlohmann::json& plan) {
  grudge::Grudge g;
  try {
    g = grudge::from_json(plan.at("grudge"));
  } catch (const std::exception& e) {
    throw HarnessError(std::string("partition plan without a valid grudge: ") + e.what());
  }
  for (const auto& link : grudge::dropped_links(g)) {
    ctx.tc.drop(ctx.net.host(link.first), ctx.net.host(link.second));
    cut_.insert(link);
  }
  nlohmann::json r = plan;
  r["grudge"] = grudge::to_json(g);
  r["cut_links"] = grudge::dropped_links(g).size();
  r["mechanism"] = ctx.tc.mechanism();
  return r;
}

void GrudgeFault::restore(NemesisContext& ctx, const std::pair<std::string, std::string>& link) {
  ctx.tc.heal(ctx.net.host(link.first), ctx.net.host(link.second));
  cut_.erase(link);
}

nlohmann::json GrudgeFault::stop(NemesisContext& ctx) {
  const size_t n = cut_.size();
  for (auto links = cut_; const auto& l : links) restore(ctx, l);
  return {{"healed_links", n}};
}

nlohmann::json GrudgeFault::heal(NemesisContext& ctx) {
  cut_.clear();
  const size_t n = ctx.tc.dropped().size();
  ctx.tc.heal_all();
  return {{"healed_links", n}};
}

}  // namespace eclat
