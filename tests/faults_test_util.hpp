// A real miroir cluster in the test's lab with everything a fault needs
// (network, traffic control, the run's rng): the fault tests drive faults
// through it and measure their effect from inside the lab.
#pragma once
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <random>

#include <gtest/gtest.h>

#include "cluster/network.hpp"
#include "cluster/system.hpp"
#include "cluster/traffic_control.hpp"
#include "nemesis/fault.hpp"

namespace eclat {

struct Cluster {
  TestConfig cfg;
  std::unique_ptr<System> system;
  std::filesystem::path dir;
  Network net;
  std::unique_ptr<TrafficControl> tc;
  std::mt19937_64 rng{7};
  std::unique_ptr<NemesisContext> ctx;

  using Settings = std::vector<std::pair<std::string, std::string>>;
  explicit Cluster(Settings settings, int nodes = 3) {
    cfg.nodes = nodes;
    cfg.nemesis = {"clock-skew"};  // nodes run under libfaketime
    for (const auto& [k, v] : settings) cfg.settings.put(k, v);
    system = make_system(cfg);
    dir = std::filesystem::temp_directory_path() /
          ("eclat-faults-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::create_directories(dir);
    tc = std::make_unique<TrafficControl>(net);
    system->setup(net, dir);
    ctx = std::make_unique<NemesisContext>(NemesisContext{net, *tc, *system, cfg, rng});
  }
  ~Cluster() {
    system->teardown();
    std::filesystem::remove_all(dir);
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
  bool answers(const std::string& node) { return system->wall_clock(node).has_value(); }
  // The node's clock minus ours, in ms.
  double offset_ms(const std::string& node) {
    auto before = std::chrono::system_clock::now();
    auto theirs = system->wall_clock(node);
    auto after = std::chrono::system_clock::now();
    EXPECT_TRUE(theirs) << node << " does not answer";
    if (!theirs) return NAN;
    return std::chrono::duration<double, std::milli>(*theirs - (before + (after - before) / 2)).count();
  }
  std::vector<std::string> started(Fault& f, nlohmann::json& value) {
    value = f.start(*ctx, f.plan(*ctx));
    std::vector<std::string> nodes;
    for (const auto& n : value.at("nodes")) nodes.push_back(n.get<std::string>());
    return nodes;
  }
};

}  // namespace eclat
