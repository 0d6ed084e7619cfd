#include <map>

#include "cluster/systems/system.hpp"
#include "core/errors.hpp"

namespace eclat {
namespace {
std::map<std::string, SystemFactory>& registry() {
  static std::map<std::string, SystemFactory> r;
  return r;
}
}  // namespace

bool register_system(const std::string& name, SystemFactory factory) {
  registry()[name] = std::move(factory);
  return true;
}

std::vector<std::string> system_names() {
  std::vector<std::string> out;
  for (const auto& [n, _] : registry()) out.push_back(n);
  return out;
}

std::unique_ptr<System> make_system(const TestConfig& cfg) {
  auto it = registry().find(cfg.system);
  if (it == registry().end()) {
    std::string known;
    for (const auto& n : system_names()) known += (known.empty() ? "" : ", ") + n;
    throw BadInput("unknown system \"" + cfg.system + "\" (known: " + known + ")");
  }
  auto system = it->second(cfg);
  system->validate(cfg);
  return system;
}

}  // namespace eclat
