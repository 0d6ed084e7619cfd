#include "core/registry.hpp"
#include "workloads/workload.hpp"

namespace eclat {
namespace {
Registry<WorkloadFactory>& registry() {
  static Registry<WorkloadFactory> r(PartKind::workload);
  return r;
}
}  // namespace

bool register_workload(PartInfo info, WorkloadFactory factory) {
  return registry().add(std::move(info), std::move(factory));
}
std::vector<std::string> workload_names() { return registry().names(); }
std::unique_ptr<Workload> make_workload(const TestConfig& cfg) { return registry().get(cfg.workload)(cfg); }

}  // namespace eclat
