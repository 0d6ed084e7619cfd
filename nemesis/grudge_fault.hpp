// A partition fault of some shape: plan() draws a grudge over the storage
// nodes (System::db_nodes(): the members that replicate; clients and
// miroir's orchestrators are not partitioned, as in Jepsen, where the
// control node is never cut off; the `partition` fault isolates any host),
// start() drops exactly the planned grudge's links (a replay passes the
// recorded grudge back), stop() restores the links it cut, heal() every link.
#pragma once
#include <functional>
#include <set>
#include <utility>

#include "nemesis/fault.hpp"
#include "nemesis/grudge.hpp"

namespace eclat {

class GrudgeFault : public Fault {
 public:
  // Draws the grudge from the nodes (in db_nodes() order) and the run's rng.
  using Shape = std::function<grudge::Grudge(const std::vector<std::string>& nodes, std::mt19937_64& rng)>;
  explicit GrudgeFault(Shape shape) : shape_(std::move(shape)) {}

  nlohmann::json plan(NemesisContext& ctx) override;
  nlohmann::json start(NemesisContext& ctx, const nlohmann::json& plan) override;
  nlohmann::json stop(NemesisContext& ctx) override;
  nlohmann::json heal(NemesisContext& ctx) override;

 protected:
  // Restores one directed link this fault cut.
  void restore(NemesisContext& ctx, const std::pair<std::string, std::string>& link);
  std::set<std::pair<std::string, std::string>> cut_;  // (from, to) dropped by this fault

 private:
  Shape shape_;
};

// The nodes shuffled with rng (a copy).
std::vector<std::string> shuffled(std::vector<std::string> nodes, std::mt19937_64& rng);

}  // namespace eclat
