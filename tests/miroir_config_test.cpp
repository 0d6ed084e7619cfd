// Cluster configuration: a valid file parses; every kind of mistake is
// refused with a message that names it.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "miroir/common/cluster_config.hpp"

namespace {

nlohmann::json valid() {
  return nlohmann::json::parse(R"({"shards":16,"replication_factor":2,"index":"docs","nodes":[
    {"name":"n1","address":"198.18.0.1:7700","group":0},
    {"name":"n2","address":"198.18.0.2:7700","group":0},
    {"name":"n3","address":"198.18.0.3:7700","group":1},
    {"name":"n4","address":"198.18.0.4:7700","group":1}]})");
}

// The error message of parsing j, or "" when it parsed.
std::string error_of(const nlohmann::json& j) {
  try {
    miroir::ClusterConfig::from_json(j);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(MiroirClusterConfig, ValidConfigParses) {
  auto c = miroir::ClusterConfig::from_json(valid());
  EXPECT_EQ(c.shards, 16u);
  EXPECT_EQ(c.replication_factor, 2u);
  EXPECT_EQ(c.index, "docs");
  ASSERT_EQ(c.nodes.size(), 4u);
  EXPECT_EQ(c.replica_groups(), 2u);
  EXPECT_EQ(c.groups(), (std::vector<std::vector<std::string>>{{"n1", "n2"}, {"n3", "n4"}}));
  EXPECT_EQ(c.find("n3"), 2);
  EXPECT_EQ(c.find("zz"), -1);
  // Round trip.
  EXPECT_EQ(miroir::ClusterConfig::from_json(c.to_json()).to_json(), c.to_json());
}

TEST(MiroirClusterConfig, RejectsZeroShards) {
  auto j = valid();
  j["shards"] = 0;
  EXPECT_NE(error_of(j).find("\"shards\" must be >= 1"), std::string::npos) << error_of(j);
}

TEST(MiroirClusterConfig, RejectsNegativeAndNonIntegers) {
  auto j = valid();
  j["shards"] = -3;
  EXPECT_NE(error_of(j).find("negative"), std::string::npos) << error_of(j);
  j = valid();
  j["replication_factor"] = "2";
  EXPECT_NE(error_of(j).find("\"replication_factor\" must be an integer"), std::string::npos);
}

TEST(MiroirClusterConfig, RejectsZeroReplicationFactor) {
  auto j = valid();
  j["replication_factor"] = 0;
  EXPECT_NE(error_of(j).find("replication_factor"), std::string::npos);
}

TEST(MiroirClusterConfig, RejectsGroupGap) {
  auto j = valid();
  j["nodes"][2]["group"] = 2;
  j["nodes"][3]["group"] = 2;
  std::string e = error_of(j);
  EXPECT_NE(e.find("without gaps"), std::string::npos) << e;
  EXPECT_NE(e.find("group 1 has no node"), std::string::npos) << e;
}

TEST(MiroirClusterConfig, RejectsRfLargerThanAGroup) {
  auto j = valid();
  j["nodes"][3]["group"] = 0;  // group 1 keeps one node, RF is 2
  std::string e = error_of(j);
  EXPECT_NE(e.find("replication_factor 2 exceeds the 1 node(s) of group 1"), std::string::npos) << e;
}

TEST(MiroirClusterConfig, RejectsDuplicatesAndMissingFields) {
  auto j = valid();
  j["nodes"][1]["name"] = "n1";
  EXPECT_NE(error_of(j).find("node name \"n1\" appears twice"), std::string::npos);
  j = valid();
  j["nodes"][1]["address"] = "198.18.0.1:7700";
  EXPECT_NE(error_of(j).find("is used by two nodes"), std::string::npos);
  j = valid();
  j["nodes"][2].erase("address");
  EXPECT_NE(error_of(j).find("nodes[2]: missing \"address\""), std::string::npos) << error_of(j);
  j = valid();
  j["nodes"][0]["address"] = "198.18.0.1";
  EXPECT_NE(error_of(j).find("must be host:port"), std::string::npos);
  j = valid();
  j.erase("index");
  EXPECT_NE(error_of(j).find("missing \"index\""), std::string::npos);
  j = valid();
  j["nodes"] = nlohmann::json::array();
  EXPECT_NE(error_of(j).find("at least one node"), std::string::npos);
  j = valid();
  j["nodes"] = 3;
  EXPECT_NE(error_of(j).find("\"nodes\" must be an array"), std::string::npos);
}

TEST(MiroirClusterConfig, RejectsBadJsonAndMissingFile) {
  try {
    miroir::ClusterConfig::parse("{\"shards\": 16,");
    FAIL() << "parsed broken JSON";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("not valid JSON"), std::string::npos);
  }
  try {
    miroir::ClusterConfig::load("/nonexistent/cluster.json");
    FAIL() << "loaded a missing file";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("cannot read /nonexistent/cluster.json"), std::string::npos);
  }
}
