// remove-node: ask the coordinator to remove a node from its group (the last
// initial node of the group, see --set new-node-group), which migrates its
// shards to the remaining nodes. Not undone, like add-node.
#include "nemesis/migration_faults.hpp"

namespace eclat {
namespace {

class RemoveNode : public Fault {
 public:
  void validate(const TestConfig& cfg, const System& system) const override {
    require_migrations("remove-node", cfg, system);
  }
  nlohmann::json start(NemesisContext& ctx, const nlohmann::json&) override { return migration_hooks(ctx).remove_node(""); }
  nlohmann::json stop(NemesisContext&) override { return {{"note", "membership changes are not undone"}}; }
  nlohmann::json heal(NemesisContext&) override { return nlohmann::json::object(); }
};

const bool registered = register_fault("remove-node", [] { return std::make_unique<RemoveNode>(); });

}  // namespace
}  // namespace eclat
