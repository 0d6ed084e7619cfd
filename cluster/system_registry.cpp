#include "core/errors.hpp"
#include "core/registry.hpp"
#include "cluster/system.hpp"

namespace eclat {
namespace {
Registry<SystemFactory>& registry() {
  static Registry<SystemFactory> r(PartKind::system);
  return r;
}
const bool registered = framework_settings("systems", {&kOpTimeout, &kReadyTimeout});
}  // namespace

bool register_system(PartInfo info, SystemFactory factory) { return registry().add(std::move(info), std::move(factory)); }
std::vector<std::string> system_names() { return registry().names(); }

std::chrono::milliseconds ms_of(const NumberSetting& seconds, const TestConfig& cfg) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds(cfg.settings) * 1000));
}

std::unique_ptr<System> make_system(const TestConfig& cfg) {
  auto system = registry().get(cfg.system)(cfg);
  system->validate(cfg);
  return system;
}

}  // namespace eclat
