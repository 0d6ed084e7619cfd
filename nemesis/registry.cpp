#include "core/registry.hpp"
#include "nemesis/fault.hpp"

namespace eclat {
namespace {
Registry<FaultFactory>& registry() {
  static Registry<FaultFactory> r(PartKind::nemesis, ", or none");
  return r;
}
}  // namespace

bool register_fault(PartInfo info, FaultFactory factory) { return registry().add(std::move(info), std::move(factory)); }
std::vector<std::string> fault_names() { return registry().names(); }
std::unique_ptr<Fault> make_fault(const std::string& name) { return registry().get(name)(); }

}  // namespace eclat
