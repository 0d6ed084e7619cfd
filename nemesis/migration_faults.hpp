// What the migration faults share: the system's MigrationHooks, refused at
// validation (exit 3) when the system has none.
#pragma once
#include <string>

#include "cluster/systems/system.hpp"
#include "core/errors.hpp"
#include "nemesis/fault.hpp"

namespace eclat {

inline void require_migrations(const std::string& fault, const TestConfig& cfg, const System& system) {
  if (!system.migrations())
    throw BadInput("nemesis " + fault + ": system \"" + cfg.system + "\" has no membership changes (migrations)");
}

inline MigrationHooks& migration_hooks(NemesisContext& ctx) { return *ctx.system.migrations(); }

}  // namespace eclat
