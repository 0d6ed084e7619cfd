#include <map>

#include "core/errors.hpp"
#include "workloads/workload.hpp"

namespace eclat {
namespace {
std::map<std::string, WorkloadFactory>& registry() {
  static std::map<std::string, WorkloadFactory> r;
  return r;
}
}  // namespace

bool register_workload(const std::string& name, WorkloadFactory factory) {
  registry()[name] = std::move(factory);
  return true;
}

std::vector<std::string> workload_names() {
  std::vector<std::string> out;
  for (const auto& [n, _] : registry()) out.push_back(n);
  return out;
}

std::unique_ptr<Workload> make_workload(const TestConfig& cfg) {
  auto it = registry().find(cfg.workload);
  if (it == registry().end()) {
    std::string known;
    for (const auto& n : workload_names()) known += (known.empty() ? "" : ", ") + n;
    throw BadInput("unknown workload \"" + cfg.workload + "\" (known: " + known + ")");
  }
  return it->second(cfg);
}

}  // namespace eclat
