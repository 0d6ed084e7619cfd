// Flags and scenario files: good input becomes a configuration, bad input a
// BadInput that names the flag or key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/errors.hpp"
#include "core/test_config.hpp"

using namespace eclat;

namespace {
std::string error_of(const std::vector<std::string>& args) {
  try {
    parse_test_args(args);
  } catch (const BadInput& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Config, DefaultsAreTheDefaultChaosTest) {
  auto c = parse_test_args({});
  EXPECT_EQ(c.system, "miroir");
  EXPECT_EQ(c.workload, "set");
  EXPECT_EQ(c.nemesis, (std::vector<std::string>{"kill", "partition"}));
  EXPECT_EQ(c.name, "miroir-set");
}

TEST(Config, FlagsAreParsed) {
  auto c = parse_test_args({"--nemesis", "kill", "--time-limit", "12.5", "--seed", "7", "--set",
                            "rf=2", "--bug", "ack-before-durable", "--concurrency", "3"});
  EXPECT_EQ(c.nemesis, std::vector<std::string>{"kill"});
  EXPECT_DOUBLE_EQ(c.time_limit, 12.5);
  EXPECT_EQ(c.seed, 7u);
  EXPECT_EQ(c.settings.get_int("rf", 1, 1, 9), 2);
  EXPECT_EQ(c.bugs, std::vector<std::string>{"ack-before-durable"});
  EXPECT_EQ(c.concurrency, 3);
}

TEST(Config, MalformedFlagsNameThemselves) {
  EXPECT_NE(error_of({"--time-limit", "abc"}).find("--time-limit abc"), std::string::npos);
  EXPECT_NE(error_of({"--nodes", "0"}).find("--nodes"), std::string::npos);
  EXPECT_NE(error_of({"--frobnicate"}).find("--frobnicate"), std::string::npos);
  EXPECT_NE(error_of({"--set", "bogus=1"}).find("bogus"), std::string::npos);
  EXPECT_NE(error_of({"--set", "nemesis-interval=-3"}).find("nemesis-interval"), std::string::npos);
  EXPECT_NE(error_of({"--seed"}).find("--seed"), std::string::npos);
  EXPECT_NE(error_of({"--name", "../x"}).find("name"), std::string::npos);
}

TEST(Config, ScenarioFileThenFlagsOverride) {
  auto path = std::filesystem::temp_directory_path() / ("eclat-scn-" + std::to_string(getpid()) + ".json");
  std::ofstream(path) << R"({"name":"s1","nemesis":["partition"],"time-limit":20,"set":{"shards":8}})";
  auto c = parse_test_args({"--scenario", path.string(), "--time-limit", "5"});
  EXPECT_EQ(c.name, "s1");
  EXPECT_EQ(c.nemesis, std::vector<std::string>{"partition"});
  EXPECT_DOUBLE_EQ(c.time_limit, 5);
  EXPECT_EQ(c.settings.get_int("shards", 16, 1, 100), 8);

  std::ofstream(path) << R"({"nemesis":["partition"],"tiem-limit":20})";
  EXPECT_NE(error_of({"--scenario", path.string()}).find("tiem-limit"), std::string::npos);
  std::ofstream(path) << R"({"nodes":"many"})";
  EXPECT_NE(error_of({"--scenario", path.string()}).find("nodes"), std::string::npos);
  std::ofstream(path) << R"({"nodes":)";
  EXPECT_NE(error_of({"--scenario", path.string()}).find("not valid JSON"), std::string::npos);
  std::filesystem::remove(path);
}
