// Routing must be byte-compatible with upstream: every vector of
// shared/data/routing/golden_vectors.txt is parsed and checked. The parser
// counts what it found, so a format change fails loudly instead of checking
// nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "miroir/common/routing.hpp"

namespace {

const std::string kGolden = std::string(ECLAT_SHARED_DIR) + "/data/routing/golden_vectors.txt";

std::vector<std::string> lines() {
  std::ifstream in(kGolden);
  EXPECT_TRUE(in.good()) << "cannot read " << kGolden;
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// "['a', 'b']" -> {"a", "b"}
std::vector<std::string> names(const std::string& list) {
  std::vector<std::string> out;
  static const std::regex item("'([^']*)'");
  for (auto it = std::sregex_iterator(list.begin(), list.end(), item); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1]);
  return out;
}

const std::vector<std::string> kGroup0 = {"meili-0", "meili-1", "meili-2"};
const std::vector<std::string> kGroup1 = {"meili-3", "meili-4", "meili-5"};

// Lines of the section whose header comment starts with `header`.
std::vector<std::string> section(const std::string& header) {
  std::vector<std::string> out;
  bool in = false;
  for (const auto& l : lines()) {
    if (l.rfind("#", 0) == 0) {
      in = l.rfind(header, 0) == 0;
      continue;
    }
    if (in && !l.empty()) out.push_back(l);
  }
  return out;
}

}  // namespace

TEST(MiroirRouting, ShardForKey) {
  static const std::regex re(R"(shard_for_key\('(.*)', (\d+)\) = (\d+)\s+\(hash=0x([0-9a-f]+)\))");
  int checked = 0;
  for (const auto& l : lines()) {
    std::smatch m;
    if (!std::regex_search(l, m, re)) continue;
    std::string key = m[1];
    uint32_t s = std::stoul(m[2]);
    EXPECT_EQ(miroir::shard_for_key(key, s), std::stoul(m[3])) << l;
    EXPECT_EQ(miroir::key_hash(key), std::stoull(m[4], nullptr, 16)) << l;
    ++checked;
  }
  EXPECT_EQ(checked, 20);
  // The example the spec quotes, and integer keys hash as decimal text.
  EXPECT_EQ(miroir::shard_for_key("user:12345", 64), 15u);
}

TEST(MiroirRouting, Score) {
  static const std::regex re(R"(^score\((\d+), '(.*)'\) = (\d+)$)");
  int checked = 0;
  for (const auto& l : lines()) {
    std::smatch m;
    if (!std::regex_match(l, m, re)) continue;
    EXPECT_EQ(miroir::score(std::stoul(m[1]), m[2].str()), std::stoull(m[3])) << l;
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

TEST(MiroirRouting, OwnersRf1To3) {
  static const std::regex re(R"(^shard (\d+): rf1=(\[.*?\]) rf2=(\[.*?\]) rf3=(\[.*?\])$)");
  int checked = 0;
  for (const auto& l : section("# assign_shard_in_group")) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(l, m, re)) << "unparsed: " << l;
    uint32_t shard = std::stoul(m[1]);
    for (uint32_t rf = 1; rf <= 3; ++rf)
      EXPECT_EQ(miroir::owners(shard, kGroup0, rf), names(m[rf + 1])) << l << " rf" << rf;
    ++checked;
  }
  EXPECT_EQ(checked, 8);
  // Fewer nodes than rf: all of them.
  EXPECT_EQ(miroir::owners(0, kGroup0, 5).size(), 3u);
}

TEST(MiroirRouting, WriteTargetsRg2Rf2) {
  static const std::regex re(R"(^shard (\d+): (\[.*\])$)");
  int checked = 0;
  for (const auto& l : section("# write_targets")) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(l, m, re)) << "unparsed: " << l;
    EXPECT_EQ(miroir::write_targets(std::stoul(m[1]), {kGroup0, kGroup1}, 2), names(m[2])) << l;
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST(MiroirRouting, CoveringSet) {
  static const std::regex re(R"(^qseq (\d+): (\[.*\])$)");
  int checked = 0;
  for (const auto& l : section("# covering_set")) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(l, m, re)) << "unparsed: " << l;
    EXPECT_EQ(miroir::covering_set(8, kGroup0, 2, std::stoull(m[1])), names(m[2])) << l;
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

// Per-shard picks: each is an owner of its shard, and their distinct values in
// order of first pick are exactly the covering set (golden vectors above).
TEST(MiroirRouting, CoveringPicksAreOwnersAndYieldTheCoveringSet) {
  for (uint32_t shards : {8u, 16u, 64u})
    for (uint32_t rf : {1u, 2u, 3u})
      for (uint64_t q = 0; q < 6; ++q) {
        auto picks = miroir::covering_picks(shards, kGroup0, rf, q);
        ASSERT_EQ(picks.size(), shards);
        std::vector<std::string> distinct;
        for (uint32_t s = 0; s < shards; ++s) {
          auto o = miroir::owners(s, kGroup0, rf);
          EXPECT_NE(std::find(o.begin(), o.end(), picks[s]), o.end()) << "shard " << s;
          if (std::find(distinct.begin(), distinct.end(), picks[s]) == distinct.end())
            distinct.push_back(picks[s]);
        }
        EXPECT_EQ(distinct, miroir::covering_set(shards, kGroup0, rf, q))
            << "S=" << shards << " rf=" << rf << " q=" << q;
      }
  // S=8, rf=2, q=0 (golden: meili-1, meili-2, meili-0): the first pick is shard 0's.
  auto picks = miroir::covering_picks(8, kGroup0, 2, 0);
  EXPECT_EQ(picks[0], "meili-1");
  // A group without nodes picks nothing.
  EXPECT_EQ(miroir::covering_picks(4, {}, 2, 0), std::vector<std::string>(4));
  EXPECT_TRUE(miroir::covering_set(4, {}, 2, 0).empty());
}

TEST(MiroirRouting, AddingANodeMoves22ShardsAllToIt) {
  std::vector<uint32_t> expected;
  int headers = 0;
  for (const auto& l : section("# add meili-6")) {
    ASSERT_EQ(l.rfind("moved shards: ", 0), 0u) << "unparsed: " << l;
    std::stringstream ss(l.substr(l.find('[') + 1));
    for (std::string n; std::getline(ss, n, ',');) expected.push_back(std::stoul(n));
    ++headers;
  }
  ASSERT_EQ(headers, 1);
  ASSERT_EQ(expected.size(), 22u);

  auto bigger = kGroup0;
  bigger.push_back("meili-6");
  std::vector<uint32_t> moved;
  for (uint32_t s = 0; s < 64; ++s) {
    auto before = miroir::owners(s, kGroup0, 1);
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
