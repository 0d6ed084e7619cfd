// Search through the orchestrator over a real 6-node cluster on 127.0.0.1
// (RG=2, RF=2, 3 nodes per group, S=16): results equal a brute-force search
// of the written corpus (every hit once, counts and facets summed right,
// offset/limit applied after the merge), consecutive searches alternate
// groups, a dead node's shards are searched on another owner, and shards
// with no live owner anywhere are named (partial) or refused (error policy),
// for search and for list.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "miroir/common/routing.hpp"
#include "miroir_test_util.hpp"

using miroir::test::LocalCluster;
using namespace std::chrono_literals;

namespace {

constexpr uint32_t kShards = 16, kRf = 2, kGroups = 2;

// ---- the corpus and a brute-force search over it (independent of the node's code)

const std::vector<std::string> kWords = {"red", "green", "blue", "apple", "pear", "plum", "fast",
                                         "slow", "car", "boat", "old", "new"};
const std::vector<std::string> kColors = {"red", "green", "blue", "black"};
const std::vector<std::string> kTags = {"x1", "x2", "x3", "x4", "x5"};

std::vector<nlohmann::json> make_corpus(int n) {
  std::vector<nlohmann::json> docs;
  uint64_t r = 12345;
  auto next = [&](uint64_t m) {
    r = r * 6364136223846793005ull + 1442695040888963407ull;
    return (r >> 33) % m;
  };
  for (int i = 0; i < n; ++i) {
    std::string title;
    for (uint64_t w = 0, words = 2 + next(3); w < words; ++w)
      title += (w ? (next(2) ? " " : ", ") : "") + kWords[next(kWords.size())];
    if (next(3) == 0) title[0] = static_cast<char>(std::toupper(title[0]));
    nlohmann::json tags = nlohmann::json::array();
    for (uint64_t t = 0, k = 1 + next(2); t < k; ++t) tags.push_back(kTags[next(kTags.size())]);
    nlohmann::json d = {{"title", title}, {"color", kColors[next(kColors.size())]}, {"tags", tags}, {"n", i}};
    if (i % 50 == 7)
      d["id"] = 100000 + i;  // integer ids route (and sort) by their decimal text
    else {
      char b[16];
      std::snprintf(b, sizeof b, "doc-%04d", i);
      d["id"] = b;
    }
    docs.push_back(d);
  }
  return docs;
}

std::string id_text(const nlohmann::json& doc) {
  return doc["id"].is_string() ? doc["id"].get<std::string>() : std::to_string(doc["id"].get<uint64_t>());
}

std::set<std::string> tokens(const std::string& text) {
  std::set<std::string> out;
  std::string cur;
  for (char c : text + " ") {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      cur.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else if (!cur.empty()) {
      out.insert(cur);
      cur.clear();
    }
  }
  return out;
}

void strings_of(const nlohmann::json& j, std::set<std::string>& toks) {
  if (j.is_string()) {
    auto t = tokens(j.get<std::string>());
    toks.insert(t.begin(), t.end());
  } else if (j.is_structured()) {
    for (const auto& v : j) strings_of(v, toks);
  }
}

struct Expected {
  std::vector<std::pair<double, std::string>> ranked;  // (score, id), best first
  std::map<std::string, nlohmann::json> docs;           // id -> document
  std::map<std::string, std::map<std::string, uint64_t>> facets;
};

Expected brute_force(const std::vector<nlohmann::json>& corpus, const std::string& query,
                     const std::set<uint32_t>& without_shards = {}) {
  Expected e;
  auto q = tokens(query);
  for (const auto& d : corpus) {
    std::string id = id_text(d);
    if (without_shards.count(miroir::shard_for_key(id, kShards))) continue;
    double score = 1.0;
    if (!q.empty()) {
      std::set<std::string> toks;
      strings_of(d, toks);
      size_t m = 0;
      for (const auto& t : q) m += toks.count(t);
      if (m == 0) continue;
      score = static_cast<double>(m) / static_cast<double>(q.size());
    }
    e.ranked.emplace_back(score, id);
    e.docs[id] = d;
    e.facets["color"][d["color"].get<std::string>()]++;
    std::set<std::string> tags(d["tags"].begin(), d["tags"].end());
    for (const auto& t : tags) e.facets["tags"][t]++;
  }
  std::sort(e.ranked.begin(), e.ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  return e;
}

// ---- calls

miroir::SearchReply search(miroir::Orchestrator::Stub& stub, const std::string& query, uint32_t offset,
                           uint32_t limit, bool facets = true) {
  miroir::SearchRequest req;
  req.set_query(query);
  req.set_offset(offset);
  req.set_limit(limit);
  if (facets) {
    req.add_facets("color");
    req.add_facets("tags");
  }
  miroir::SearchReply reply;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 20s);
  auto st = stub.Search(&ctx, req, &reply);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return reply;
}

std::vector<miroir::ListPage> list_all(miroir::Orchestrator::Stub& stub) {
  miroir::ListRequest req;
  req.set_page_size(1000);
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 30s);
  auto reader = stub.ListDocuments(&ctx, req);
  std::vector<miroir::ListPage> pages;
  for (miroir::ListPage p; reader->Read(&p);) pages.push_back(p);
  auto st = reader->Finish();
  EXPECT_TRUE(st.ok()) << st.error_message();
  return pages;
}

void write_corpus(miroir::Orchestrator::Stub& stub, const std::vector<nlohmann::json>& corpus) {
  for (size_t i = 0; i < corpus.size(); i += 200) {
    miroir::WriteRequest req;
    for (size_t k = i; k < std::min(corpus.size(), i + 200); ++k) req.add_documents(corpus[k].dump());
    miroir::WriteReply w;
    {
      grpc::ClientContext ctx;
      miroir::set_deadline(ctx, 20s);
      ASSERT_TRUE(stub.AddDocuments(&ctx, req, &w).ok());
    }
    ASSERT_EQ(w.error_code(), "") << w.error_message();
    ASSERT_FALSE(w.degraded());
    miroir::TaskRequest tr;
    tr.set_task_id(w.task_id());
    tr.set_wait_ms(20000);
    miroir::TaskReply t;
    grpc::ClientContext ctx;
    miroir::set_deadline(ctx, 30s);
    ASSERT_TRUE(stub.GetTask(&ctx, tr, &t).ok());
    ASSERT_EQ(t.status(), "succeeded") << t.error();
  }
}

std::map<std::string, uint64_t> counts(const miroir::SearchReply& r, const std::string& field) {
  auto it = r.facet_distribution().find(field);
  if (it == r.facet_distribution().end()) return {};
  return {it->second.counts().begin(), it->second.counts().end()};
}

// The reply is exactly the window [offset, offset+limit) of the brute-force
// ranking, with the documents as written, and complete counts.
void expect_matches(const miroir::SearchReply& r, const Expected& e, uint32_t offset, uint32_t limit,
                    const std::string& what) {
  SCOPED_TRACE(what + " offset " + std::to_string(offset) + " limit " + std::to_string(limit));
  EXPECT_EQ(r.error_code(), "") << r.error_message();
  EXPECT_EQ(r.estimated_total_hits(), e.ranked.size());
  size_t end = std::min<size_t>(e.ranked.size(), size_t{offset} + limit);
  size_t want = offset < end ? end - offset : 0;
  ASSERT_EQ(static_cast<size_t>(r.hits_size()), want);
  for (size_t i = 0; i < want; ++i) {
    const auto& h = r.hits(static_cast<int>(i));
    const auto& [score, id] = e.ranked[offset + i];
    ASSERT_EQ(h.id(), id) << "hit " << i;
    EXPECT_EQ(h.ranking_score(), score) << id;
    EXPECT_EQ(nlohmann::json::parse(h.json()), e.docs.at(id)) << "stripped of _miroir_* and otherwise as written";
    EXPECT_EQ(h.shard(), miroir::shard_for_key(id, kShards));
  }
  for (const std::string field : {"color", "tags"}) {
    auto it = e.facets.find(field);
    auto want = it == e.facets.end() ? std::map<std::string, uint64_t>() : it->second;
    EXPECT_EQ(counts(r, field), want) << field;
  }
}

const std::vector<std::string> kQueries = {"apple", "red car", "PLUM, boat! new", "doc", "", "zebra", "x3 old"};

class MiroirSearch : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = std::make_unique<LocalCluster>("search", 6, kRf, kShards, kGroups);
    corpus_ = make_corpus(600);
    stub_ = cluster_->stub();
    write_corpus(*stub_, corpus_);
  }

  // Node names of group g.
  std::vector<std::string> group(uint32_t g) const { return cluster_->config().groups()[g]; }

  std::unique_ptr<LocalCluster> cluster_;
  std::vector<nlohmann::json> corpus_;
  std::unique_ptr<miroir::Orchestrator::Stub> stub_;
};

}  // namespace

TEST_F(MiroirSearch, ResultsEqualABruteForceSearchOfTheCorpus) {
  std::vector<uint32_t> groups_seen;
  for (const auto& q : kQueries) {
    auto e = brute_force(corpus_, q);
    const std::vector<std::pair<uint32_t, uint32_t>> windows = {{0, 20}, {0, 1000}, {7, 13}, {95, 10}, {590, 50}};
    for (auto [offset, limit] : windows) {
      auto r = search(*stub_, q, offset, limit);
      expect_matches(r, e, offset, limit, "query \"" + q + "\"");
      EXPECT_FALSE(r.degraded());
      groups_seen.push_back(r.group());
    }
    // Paging through with offset/limit yields every match exactly once.
    std::vector<std::string> paged;
    for (uint32_t offset = 0; offset < e.ranked.size() + 10; offset += 37) {
      auto r = search(*stub_, q, offset, 37, false);
      groups_seen.push_back(r.group());
      for (const auto& h : r.hits()) paged.push_back(h.id());
    }
    std::vector<std::string> want;
    for (const auto& [score, id] : e.ranked) want.push_back(id);
    EXPECT_EQ(paged, want) << "query \"" << q << "\"";
    EXPECT_EQ(std::set<std::string>(paged.begin(), paged.end()).size(), paged.size()) << "no duplicates";
  }
  // limit 0 means 20.
  EXPECT_EQ(search(*stub_, "", 0, 0).hits_size(), 20);
  // One orchestrator alternates its groups query after query (q mod RG).
  for (size_t i = 1; i < groups_seen.size(); ++i) ASSERT_NE(groups_seen[i], groups_seen[i - 1]) << i;
}

TEST_F(MiroirSearch, AKilledNodesShardsAreSearchedOnAnotherOwner) {
  // A node every search of its group asks for some shards.
  const std::string victim = group(0)[0];
  for (uint64_t q = 0; q < 2; ++q) {
    auto set = miroir::covering_set(kShards, group(0), kRf, q);
    ASSERT_NE(std::find(set.begin(), set.end(), victim), set.end()) << "the victim must be picked";
  }
  cluster_->node(victim).kill9();
  for (const auto& q : kQueries) {
    auto e = brute_force(corpus_, q);
    for (int i = 0; i < 4; ++i) {  // both groups, both start replicas
      auto r = search(*stub_, q, 0, 1000);
      EXPECT_FALSE(r.degraded()) << "every shard still has a live owner";
      EXPECT_EQ(r.degraded_shards_size(), 0);
      expect_matches(r, e, 0, 1000, "query \"" + q + "\" group " + std::to_string(r.group()));
    }
  }
}

TEST_F(MiroirSearch, ShardsWithNoLiveOwnerArePartialOrAnErrorByPolicy) {
  // Kill both owners of shard 0 in each group: every shard whose owners are
  // all among them is lost; any other shard keeps an owner somewhere.
  std::set<std::string> killed;
  for (uint32_t g = 0; g < kGroups; ++g)
    for (const auto& n : miroir::owners(0, group(g), kRf)) killed.insert(n);
  ASSERT_EQ(killed.size(), 4u);
  std::set<uint32_t> lost;
  for (uint32_t s = 0; s < kShards; ++s) {
    bool any_alive = false;
    for (uint32_t g = 0; g < kGroups; ++g)
      for (const auto& n : miroir::owners(s, group(g), kRf)) any_alive = any_alive || !killed.count(n);
    if (!any_alive) lost.insert(s);
  }
  ASSERT_TRUE(lost.count(0));
  ASSERT_LT(lost.size(), kShards) << "some shards must survive for the test to mean something";
  auto errors = cluster_->start_orchestrator("o2", {"--unavailable-shards", "error"});
  auto error_stub = errors.stub();
  for (const auto& n : killed) cluster_->node(n).kill9();

  // partial (the default): every reachable shard, the lost ones named.
  for (const auto& q : kQueries) {
    auto e = brute_force(corpus_, q, lost);
    for (int i = 0; i < 2; ++i) {
      auto r = search(*stub_, q, 0, 1000);
      EXPECT_TRUE(r.degraded());
      EXPECT_EQ(std::set<uint32_t>(r.degraded_shards().begin(), r.degraded_shards().end()), lost);
      EXPECT_EQ(static_cast<size_t>(r.degraded_shards_size()), lost.size());
      expect_matches(r, e, 0, 1000, "partial, query \"" + q + "\"");
    }
  }

  // error: a refusal naming the shards, no hits.
  for (int i = 0; i < 2; ++i) {
    auto r = search(*error_stub, "apple", 0, 20);
    EXPECT_EQ(r.error_code(), "miroir_shard_unavailable");
    EXPECT_EQ(r.hits_size(), 0);
    EXPECT_EQ(std::set<uint32_t>(r.degraded_shards().begin(), r.degraded_shards().end()), lost);
  }

  // list, partial: an error page for each lost shard, the others listed.
  std::set<uint32_t> error_pages;
  size_t listed = 0;
  for (const auto& p : list_all(*stub_)) {
    if (!p.error_code().empty()) {
      EXPECT_EQ(p.error_code(), "miroir_shard_unavailable");
      error_pages.insert(p.shard());
    }
    listed += p.documents_size();
  }
  EXPECT_EQ(error_pages, lost);
  EXPECT_EQ(listed, brute_force(corpus_, "", lost).ranked.size());

  // list, error: stops at the first lost shard, whose error page is the last.
  auto pages = list_all(*error_stub);
  ASSERT_FALSE(pages.empty());
  EXPECT_EQ(pages.back().error_code(), "miroir_shard_unavailable");
  EXPECT_EQ(pages.back().shard(), *lost.begin());
  for (size_t i = 0; i + 1 < pages.size(); ++i) {
    EXPECT_EQ(pages[i].error_code(), "");
    EXPECT_LT(pages[i].shard(), *lost.begin());
  }
}

TEST(MiroirSearchProcess, UnavailableShardsFlagIsChecked) {
  miroir::test::TempDir dir("search-flags");
  std::ofstream(dir / "c.json") << R"({"shards":4,"replication_factor":1,"index":"docs",)"
                                   R"("nodes":[{"name":"n1","address":"127.0.0.1:1","group":0}]})";
  miroir::test::Child c({miroir::test::binary("miroir-orchestrator"), "--name", "o1", "--listen", "127.0.0.1:1",
                         "--config", dir / "c.json", "--data", dir / "d", "--unavailable-shards", "sometimes"},
                        dir / "o.log");
  EXPECT_EQ(c.wait(), 2);
  EXPECT_NE(miroir::test::read_file(dir / "o.log").find("--unavailable-shards must be partial or error"),
            std::string::npos);
}
