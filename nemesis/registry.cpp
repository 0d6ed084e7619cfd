#include <map>

#include "core/errors.hpp"
#include "nemesis/fault.hpp"

namespace eclat {
namespace {
std::map<std::string, FaultFactory>& registry() {
  static std::map<std::string, FaultFactory> r;
  return r;
}
}  // namespace

bool register_fault(const std::string& name, FaultFactory factory) {
  registry()[name] = std::move(factory);
  return true;
}

std::vector<std::string> fault_names() {
  std::vector<std::string> out;
  for (const auto& [n, _] : registry()) out.push_back(n);
  return out;
}

std::unique_ptr<Fault> make_fault(const std::string& name) {
  auto it = registry().find(name);
  if (it == registry().end()) {
    std::string known;
    for (const auto& n : fault_names()) known += (known.empty() ? "" : ", ") + n;
    throw BadInput("unknown nemesis \"" + name + "\" (known: " + known + ", or none)");
  }
  return it->second();
}

}  // namespace eclat
