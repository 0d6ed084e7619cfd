// Grudge shapes, pure (no lab): who cannot hear whom for each partition.
#include <gtest/gtest.h>

#include "nemesis/grudge.hpp"

namespace eclat::grudge {
namespace {

const std::vector<std::string> kFive = {"n1", "n2", "n3", "n4", "n5"};

TEST(Grudge, HalvesCutFirstHalfFromTheRest) {
  Grudge g = halves(kFive);
  EXPECT_EQ(g["n1"], (std::set<std::string>{"n3", "n4", "n5"}));
  EXPECT_EQ(g["n4"], (std::set<std::string>{"n1", "n2"}));
  EXPECT_EQ(dropped_links(g).size(), 12u);  // 2 x 3, both ways
}

TEST(Grudge, IsolateCutsOneNodeBothWays) {
  Grudge g = isolate("n3", kFive);
  EXPECT_EQ(g["n3"], (std::set<std::string>{"n1", "n2", "n4", "n5"}));
  EXPECT_EQ(g["n1"], (std::set<std::string>{"n3"}));
  EXPECT_EQ(dropped_links(g).size(), 8u);
}

TEST(Grudge, MajoritiesRingGivesEveryNodeItsOwnMajority) {
  for (size_t n : {4u, 5u, 6u, 7u, 9u}) {
    std::vector<std::string> nodes;
    for (size_t i = 1; i <= n; ++i) nodes.push_back("n" + std::to_string(i));
    Grudge g = majorities_ring(nodes);
    std::set<std::set<std::string>> views;
    for (const auto& x : nodes) {
      std::set<std::string> sees;
      for (const auto& y : nodes)
        if (!g[x].count(y)) sees.insert(y);
      EXPECT_GT(sees.size(), n / 2) << x << " of " << n << " sees a majority";
      EXPECT_LT(sees.size(), n) << x << " of " << n << " does not see everyone";
      views.insert(sees);
      for (const auto& y : g[x]) EXPECT_TRUE(g[y].count(x)) << "symmetric: " << x << " " << y;
    }
    EXPECT_EQ(views.size(), n) << "no two nodes see the same majority";
  }
  EXPECT_TRUE(majorities_ring({"a", "b", "c"}).empty()) << "with 3 nodes every view is the whole ring";
}

TEST(Grudge, BridgeNodeHearsBothSides) {
  Grudge g = bridge(kFive);
  EXPECT_FALSE(g.count("n3"));
  EXPECT_EQ(g["n1"], (std::set<std::string>{"n4", "n5"}));
  EXPECT_EQ(g["n5"], (std::set<std::string>{"n1", "n2"}));
}

TEST(Grudge, OneWayDropsOneDirection) {
  Grudge g = one_way("n1", "n2");
  EXPECT_EQ(dropped_links(g), (std::set<std::pair<std::string, std::string>>{{"n1", "n2"}}));
}

TEST(Grudge, JsonRoundTripAndMalformed) {
  Grudge g = halves(kFive);
  EXPECT_EQ(from_json(to_json(g)), g);
  EXPECT_THROW(from_json(nlohmann::json::array()), std::invalid_argument);
  EXPECT_THROW(from_json(nlohmann::json{{"n1", "n2"}}), std::invalid_argument);
  EXPECT_THROW(from_json(nlohmann::json{{"n1", {1}}}), std::invalid_argument);
}

}  // namespace
}  // namespace eclat::grudge
