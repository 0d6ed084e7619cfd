#include "core/registry.hpp"
#include "workloads/workload.hpp"

namespace eclat {
namespace {
Registry<WorkloadFactory>& registry() {
  static Registry<WorkloadFactory> r("workload");
  return r;
}
}  // namespace

bool register_workload(const std::string& name, WorkloadFactory factory) {
  return registry().add(name, std::move(factory));
}
std::vector<std::string> workload_names() { return registry().names(); }
std::unique_ptr<Workload> make_workload(const TestConfig& cfg) { return registry().get(cfg.workload)(cfg); }

}  // namespace eclat
