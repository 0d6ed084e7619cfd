// Flags and scenario files: good input becomes a configuration, bad input a
// BadInput that names the flag or key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

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

// Every flag of `eclat test` (as its usage shows them) is a scenario key
// with the same effect: a flag without a sample here fails the test, so a
// new flag cannot be added without its key.
TEST(Config, EveryFlagIsAScenarioKeyWithTheSameEffect) {
  const auto dir = std::filesystem::temp_directory_path() / ("eclat-keys-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string base = (dir / "base.json").string();
  std::ofstream(base) << R"({"nodes": 5, "workload": "register"})";
  struct Sample {
    std::vector<std::string> flag_args;
    nlohmann::json key_value;
  };
  const std::map<std::string, Sample> samples = {
      {"--scenario", {{base}, base}},
      {"--system", {{"miroir"}, "miroir"}},
      {"--workload", {{"register"}, "register"}},
      {"--nemesis", {{"kill,pause"}, {"kill", "pause"}}},
      {"--nodes", {{"5"}, 5}},
      {"--time-limit", {{"12.5"}, 12.5}},
      {"--concurrency", {{"3"}, 3}},
      {"--rate", {{"100"}, 100}},
      {"--seed", {{"9"}, 9}},
      {"--results", {{"/tmp/elsewhere"}, "/tmp/elsewhere"}},
      {"--bug", {{"ack-before-durable"}, {"ack-before-durable"}}},
      {"--checker", {{"stats"}, {"stats"}}},
      {"--name", {{"my-test"}, "my-test"}},
      {"--expected", {{"invalid"}, "invalid"}},
      {"--set", {{"rf=2"}, {{"rf", 2}}}},
  };
  // The flags, from the usage's synopsis (up to the first blank line).
  const std::string usage = test_usage();
  const std::string synopsis = usage.substr(0, usage.find("\n\n"));
  std::set<std::string> flags;
  for (size_t p = synopsis.find("--"); p != std::string::npos; p = synopsis.find("--", p + 2)) {
    size_t e = p + 2;
    while (e < synopsis.size() && (isalnum(static_cast<unsigned char>(synopsis[e])) || synopsis[e] == '-')) ++e;
    flags.insert(synopsis.substr(p, e - p));
  }
  ASSERT_GE(flags.size(), 15u) << synopsis;
  for (const auto& flag : flags) {
    auto it = samples.find(flag);
    ASSERT_NE(it, samples.end()) << flag << " has no sample here: give it a scenario key and a sample";
    std::vector<std::string> by_flag = {"--seed", "1", flag};
    for (const auto& a : it->second.flag_args) by_flag.push_back(a);
    if (flag == "--seed") by_flag.erase(by_flag.begin(), by_flag.begin() + 2);
    const std::string key = flag.substr(2);
    nlohmann::json scenario = {{"seed", 1}};
    scenario[key] = it->second.key_value;
    const std::string file = (dir / (key + ".json")).string();
    std::ofstream(file) << scenario.dump();
    TestConfig a = parse_test_args(by_flag), b;
    ASSERT_NO_THROW(b = parse_test_args({"--scenario", file})) << key;
    EXPECT_EQ(a.to_json(), b.to_json()) << flag << " and scenario key \"" << key << "\" differ";
  }
  std::ofstream(dir / "unknown.json") << R"({"nodes": 3, "frobnicate": 1})";
  const std::string err = error_of({"--scenario", (dir / "unknown.json").string()});
  EXPECT_NE(err.find("unknown scenario key \"frobnicate\""), std::string::npos) << err;
  std::filesystem::remove_all(dir);
}

TEST(Config, ScenarioIncludesABaseScenarioItsKeysOverride) {
  const auto dir = std::filesystem::temp_directory_path() / ("eclat-incl-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "base.json") << R"({"nodes": 5, "rate": 50})";
  std::ofstream(dir / "top.json") << R"({"scenario": "base.json", "rate": 70})";
  std::ofstream(dir / "loop.json") << R"({"scenario": "loop.json"})";
  auto c = parse_test_args({"--scenario", (dir / "top.json").string()});
  EXPECT_EQ(c.nodes, 5);
  EXPECT_DOUBLE_EQ(c.rate, 70);
  EXPECT_NE(error_of({"--scenario", (dir / "loop.json").string()}).find("a cycle of includes"), std::string::npos);
  std::filesystem::remove_all(dir);
}
