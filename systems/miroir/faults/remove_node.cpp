// remove-node: ask the coordinator to remove a node from its group (the last
// initial node of the group, see --set new-node-group), which migrates its
// shards to the remaining nodes. Not undone, like add-node.
#include "systems/miroir/hooks.hpp"

namespace eclat {
namespace {

class RemoveNode : public Fault {
 public:
  void validate(const TestConfig& cfg, const System& system) const override {
    require_miroir("nemesis remove-node", cfg, system);
  }
  nlohmann::json start(NemesisContext& ctx, const nlohmann::json&) override { return miroir_hooks(ctx).remove_node(""); }
  nlohmann::json stop(NemesisContext&) override { return {{"note", "membership changes are not undone"}}; }
  nlohmann::json heal(NemesisContext&) override { return nlohmann::json::object(); }
};

const bool registered = register_fault({.name = "remove-node",
                                         .doc = "ask the coordinator to remove new-node-group's last initial node: a shard migration; not undone",
                                         .colour = "#bcbd22"},
                                        [] { return std::make_unique<RemoveNode>(); });

}  // namespace
}  // namespace eclat
