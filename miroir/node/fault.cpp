#include "miroir/node/fault.hpp"

#include <stdexcept>

namespace miroir::node {

FaultHook::FaultHook() : rng_(std::random_device{}()) {}

void FaultHook::set(double probability, const std::vector<uint32_t>& shards) {
  if (!(probability >= 0 && probability <= 1))  // NaN too
    throw std::invalid_argument("fail_writes_probability must be within [0, 1]");
  std::lock_guard lock(mu_);
  probability_ = probability;
  shards_ = probability == 0 ? std::set<uint32_t>{} : std::set<uint32_t>(shards.begin(), shards.end());
}

bool FaultHook::refuse(const std::function<std::vector<uint32_t>()>& touched) {
  std::set<uint32_t> filter;
  double p;
  {
    std::lock_guard lock(mu_);
    p = probability_;
    filter = shards_;
  }
  if (p <= 0) return false;
  if (!filter.empty()) {
    bool hit = false;
    for (uint32_t s : touched()) hit = hit || filter.count(s) > 0;
    if (!hit) return false;
  }
  if (p >= 1) return true;
  std::lock_guard lock(mu_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < p;
}

}  // namespace miroir::node
