// Routing must be byte-compatible with upstream: every vector of
// shared/data/routing/golden_vectors.txt is checked (tests/golden_vectors.hpp
// parses them and refuses lines it does not understand; the counts below make
// a shrunken file fail too).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "golden_vectors.hpp"
#include "miroir/common/routing.hpp"

namespace {

const miroir::test::GoldenVectors& golden() {
  static const auto g =
      miroir::test::GoldenVectors::load(std::string(ECLAT_SHARED_DIR) + "/data/routing/golden_vectors.txt");
  return g;
}

}  // namespace

TEST(MiroirRouting, ShardForKey) {
  ASSERT_EQ(golden().shard.size(), 20u);
  for (const auto& c : golden().shard) {
    EXPECT_EQ(miroir::shard_for_key(c.key, c.shards), c.shard) << c.line;
    EXPECT_EQ(miroir::key_hash(c.key), c.hash) << c.line;
  }
  // The example the spec quotes, and integer keys hash as decimal text.
  EXPECT_EQ(miroir::shard_for_key("user:12345", 64), 15u);
}

TEST(MiroirRouting, Score) {
  ASSERT_EQ(golden().score.size(), 6u);
  for (const auto& c : golden().score) EXPECT_EQ(miroir::score(c.shard, c.node), c.score) << c.line;
}

TEST(MiroirRouting, OwnersRf1To3) {
  ASSERT_EQ(golden().owners.size(), 8u * 3);
  for (const auto& c : golden().owners)
    EXPECT_EQ(miroir::owners(c.shard, golden().group0, c.rf), c.owners) << c.line << " rf" << c.rf;
  // Fewer nodes than rf: all of them.
  EXPECT_EQ(miroir::owners(0, golden().group0, 5).size(), 3u);
}

TEST(MiroirRouting, WriteTargetsRg2Rf2) {
  ASSERT_EQ(golden().targets.size(), 4u);
  for (const auto& c : golden().targets)
    EXPECT_EQ(miroir::write_targets(c.shard, {golden().group0, golden().group1}, golden().kTargetsRf), c.targets)
        << c.line;
}

TEST(MiroirRouting, CoveringSet) {
  ASSERT_EQ(golden().covering.size(), 3u);
  for (const auto& c : golden().covering)
    EXPECT_EQ(miroir::covering_set(golden().kCoveringShards, golden().group0, golden().kCoveringRf, c.q), c.nodes)
        << c.line;
}

// Per-shard picks: each is an owner of its shard, and their distinct values in
// order of first pick are exactly the covering set (golden vectors above).
TEST(MiroirRouting, CoveringPicksAreOwnersAndYieldTheCoveringSet) {
  for (uint32_t shards : {8u, 16u, 64u})
    for (uint32_t rf : {1u, 2u, 3u})
      for (uint64_t q = 0; q < 6; ++q) {
        auto picks = miroir::covering_picks(shards, golden().group0, rf, q);
        ASSERT_EQ(picks.size(), shards);
        std::vector<std::string> distinct;
        for (uint32_t s = 0; s < shards; ++s) {
          auto o = miroir::owners(s, golden().group0, rf);
          EXPECT_NE(std::find(o.begin(), o.end(), picks[s]), o.end()) << "shard " << s;
          if (std::find(distinct.begin(), distinct.end(), picks[s]) == distinct.end())
            distinct.push_back(picks[s]);
        }
        EXPECT_EQ(distinct, miroir::covering_set(shards, golden().group0, rf, q))
            << "S=" << shards << " rf=" << rf << " q=" << q;
      }
  // S=8, rf=2, q=0 (golden: meili-1, meili-2, meili-0): the first pick is shard 0's.
  auto picks = miroir::covering_picks(8, golden().group0, 2, 0);
  EXPECT_EQ(picks[0], "meili-1");
  // A group without nodes picks nothing.
  EXPECT_EQ(miroir::covering_picks(4, {}, 2, 0), std::vector<std::string>(4));
  EXPECT_TRUE(miroir::covering_set(4, {}, 2, 0).empty());
}

TEST(MiroirRouting, AddingANodeMoves22ShardsAllToIt) {
  const auto& expected = golden().moved;
  ASSERT_EQ(expected.size(), 22u);
  auto bigger = golden().group0;
  bigger.push_back("meili-6");
  std::vector<uint32_t> moved;
  for (uint32_t s = 0; s < 64; ++s) {
    auto before = miroir::owners(s, golden().group0, 1);
    auto after = miroir::owners(s, bigger, 1);
    if (before != after) {
      moved.push_back(s);
      EXPECT_EQ(after, std::vector<std::string>{"meili-6"}) << "shard " << s;
    }
  }
  EXPECT_EQ(moved, expected);
}

TEST(MiroirRouting, TiesBreakByNodeIdBytewise) {
  // Identical names score identically: the order must then be by id, and
  // stable regardless of input order.
  std::vector<std::string> a = {"b", "a", "a"};
  std::vector<std::string> b = {"a", "a", "b"};
  EXPECT_EQ(miroir::owners(3, a, 3), miroir::owners(3, b, 3));
}
