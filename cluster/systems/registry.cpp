#include "cluster/systems/system.hpp"
#include "core/errors.hpp"
#include "core/registry.hpp"

namespace eclat {
namespace {
Registry<SystemFactory>& registry() {
  static Registry<SystemFactory> r("system");
  return r;
}
}  // namespace

bool register_system(const std::string& name, SystemFactory factory) {
  return registry().add(name, std::move(factory));
}
std::vector<std::string> system_names() { return registry().names(); }

void System::fail_writes(const std::string&, double, const std::vector<uint32_t>&) {
  throw HarnessError("this system has no fail-writes hook");
}

std::unique_ptr<System> make_system(const TestConfig& cfg) {
  auto system = registry().get(cfg.system)(cfg);
  system->validate(cfg);
  return system;
}

}  // namespace eclat
