// add-node: start a spare node and ask the coordinator to add it to its
// group, which starts a shard migration. A membership change is not undone:
// stop() and heal() leave the node in (the migration runs to its end, which
// the migration workload waits for).
#include "systems/miroir/hooks.hpp"

namespace eclat {
namespace {

class AddNode : public Fault {
 public:
  void validate(const TestConfig& cfg, const System& system) const override {
    require_miroir("nemesis add-node", cfg, system);
  }
  nlohmann::json start(NemesisContext& ctx, const nlohmann::json&) override { return miroir_hooks(ctx).add_node(); }
  nlohmann::json stop(NemesisContext&) override { return {{"note", "membership changes are not undone"}}; }
  nlohmann::json heal(NemesisContext&) override { return nlohmann::json::object(); }
};

const bool registered = register_fault({.name = "add-node",
                                         .doc = "start a spare node and ask the coordinator to add it to new-node-group: a shard migration; not undone",
                                         .colour = "#17becf"},
                                        [] { return std::make_unique<AddNode>(); });

}  // namespace
}  // namespace eclat
