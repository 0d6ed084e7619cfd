// eclat serve's history search: each filter alone and together, pages,
// damaged and live files, the index cache, and a 100 000-operation history
// against a brute-force filter over the parsed operations.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

#include "cli/serve/history_search.hpp"
#include "core/errors.hpp"

using namespace eclat;
using namespace eclat::serve;
namespace fs = std::filesystem;

namespace {

fs::path temp_file(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("eclat-serve-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  return dir / name;
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

void append_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::app);
  out << text;
}

// Eight operations, one per line: two keys, processes 0-2 and the nemesis,
// every type, values of every shape.
const std::vector<std::string> kLines = {
    R"({"index":0,"type":"invoke","process":0,"f":"write","key":"a","value":1,"time":1000000000})",
    R"({"index":1,"type":"ok","process":0,"f":"write","key":"a","value":1,"time":1500000000})",
    R"({"index":2,"type":"invoke","process":1,"f":"read","key":"b","time":2000000000})",
    R"({"index":3,"type":"info","process":"nemesis","f":"start-kill","value":{"nodes":["n2"]},"time":2000000000})",
    R"({"index":4,"type":"fail","process":1,"f":"read","key":"b","error":"timeout","time":3000000000})",
    R"({"index":5,"type":"invoke","process":2,"f":"cas","key":"a","value":[1,2],"time":4000000000})",
    R"({"index":6,"type":"ok","process":2,"f":"cas","key":"a","value":[1,2],"time":5000000000})",
    R"({"index":7,"type":"info","process":"nemesis","f":"stop-kill","time":6000000000})",
};

fs::path small_history() {
  auto p = temp_file("small.jsonl");
  std::string text;
  for (const auto& l : kLines) text += l + "\n";
  write_file(p, text);
  return p;
}

// The 1-based line numbers of a page, checked against the lines themselves.
std::vector<size_t> numbers(const HistoryPage& page) {
  EXPECT_EQ(page.lines.size(), page.line_numbers.size());
  for (size_t i = 0; i < page.lines.size() && i < page.line_numbers.size(); ++i) {
    size_t n = page.line_numbers[i];
    if (n >= 1 && n <= kLines.size()) {
      EXPECT_EQ(page.lines[i], kLines[n - 1]);
    }
  }
  return page.line_numbers;
}

using Lines = std::vector<size_t>;

}  // namespace

TEST(HistorySearch, EachFilterAlone) {
  auto index = HistoryIndex::build(small_history());
  EXPECT_EQ(index->operations(), 8u);
  auto run = [&](auto set) {
    HistoryQuery q;
    set(q);
    HistoryPage page = index->query(q);
    EXPECT_EQ(page.operations, 8u);
    EXPECT_EQ(page.matched, page.lines.size());
    return numbers(page);
  };
  EXPECT_EQ(run([](HistoryQuery&) {}), (Lines{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(run([](HistoryQuery& q) { q.key = "a"; }), (Lines{1, 2, 6, 7}));
  EXPECT_EQ(run([](HistoryQuery& q) { q.key = "b"; }), (Lines{3, 5}));
  EXPECT_EQ(run([](HistoryQuery& q) { q.key = ""; }), (Lines{4, 8}));  // no key: the nemesis
  EXPECT_EQ(run([](HistoryQuery& q) { q.process = "1"; }), (Lines{3, 5}));
  EXPECT_EQ(run([](HistoryQuery& q) { q.process = "nemesis"; }), (Lines{4, 8}));
  EXPECT_EQ(run([](HistoryQuery& q) { q.f = "cas"; }), (Lines{6, 7}));
  EXPECT_EQ(run([](HistoryQuery& q) { q.f = "start-kill"; }), (Lines{4}));
  EXPECT_EQ(run([](HistoryQuery& q) { q.type = OpType::info; }), (Lines{4, 8}));
  EXPECT_EQ(run([](HistoryQuery& q) { q.type = OpType::fail; }), (Lines{5}));
  EXPECT_EQ(run([](HistoryQuery& q) { q.value = "n2"; }), (Lines{4}));
  EXPECT_EQ(run([](HistoryQuery& q) { q.value = "2"; }), (Lines{4, 6, 7}));  // "n2" and [1,2]
  EXPECT_EQ(run([](HistoryQuery& q) { q.value = "[1,2]"; }), (Lines{6, 7}));  // compact JSON text
  EXPECT_EQ(run([](HistoryQuery& q) { q.value = "null"; }), (Lines{3, 5, 8}));  // no value
  // Inclusive at both ends, to the nanosecond.
  EXPECT_EQ(run([](HistoryQuery& q) { q.from_s = 2.0; q.to_s = 5.0; }), (Lines{3, 4, 5, 6, 7}));
  EXPECT_EQ(run([](HistoryQuery& q) { q.from_s = 2.000000001; q.to_s = 4.999999999; }), (Lines{5, 6}));
  EXPECT_EQ(run([](HistoryQuery& q) { q.from_s = 5.5; }), (Lines{8}));
  EXPECT_EQ(run([](HistoryQuery& q) { q.to_s = 1.5; }), (Lines{1, 2}));
}

TEST(HistorySearch, FiltersCombine) {
  auto index = HistoryIndex::build(small_history());
  HistoryQuery q;
  q.key = "a";
  q.type = OpType::ok;
  EXPECT_EQ(numbers(index->query(q)), (Lines{2, 7}));
  q.from_s = 2.0;
  EXPECT_EQ(numbers(index->query(q)), (Lines{7}));
  q.value = "1";
  q.f = "cas";
  q.process = "2";
  EXPECT_EQ(numbers(index->query(q)), (Lines{7}));
  q.process = "0";  // every filter but this one matches line 7
  EXPECT_EQ(index->query(q).matched, 0u);

  HistoryQuery n;
  n.process = "nemesis";
  n.to_s = 3.0;
  EXPECT_EQ(numbers(index->query(n)), (Lines{4}));
}

TEST(HistorySearch, WhatNoOperationHasMatchesNothing) {
  auto index = HistoryIndex::build(small_history());
  for (auto set : std::vector<std::function<void(HistoryQuery&)>>{
           [](HistoryQuery& q) { q.key = "zz"; },
           [](HistoryQuery& q) { q.f = "append"; },
           [](HistoryQuery& q) { q.process = "9"; },
           [](HistoryQuery& q) { q.process = "three"; },
           [](HistoryQuery& q) { q.process = "-1"; },  // the nemesis is "nemesis"
           [](HistoryQuery& q) { q.value = "absent"; },
           [](HistoryQuery& q) { q.from_s = 5.0; q.to_s = 4.0; },
       }) {
    HistoryQuery q;
    set(q);
    HistoryPage page = index->query(q);
    EXPECT_EQ(page.matched, 0u);
    EXPECT_TRUE(page.lines.empty());
    EXPECT_EQ(page.operations, 8u);
  }
}

TEST(HistorySearch, Pages) {
  auto p = temp_file("pages.jsonl");
  std::string text;
  for (int i = 0; i < 250; ++i)
    text += R"({"index":)" + std::to_string(i) + R"(,"type":"ok","process":)" + std::to_string(i % 2) +
            R"(,"f":"add","value":)" + std::to_string(i) + R"(,"time":)" + std::to_string(i) + "}\n";
  write_file(p, text);
  auto index = HistoryIndex::build(p);
  HistoryQuery q;
  q.offset = 100;
  q.limit = 50;
  HistoryPage page = index->query(q);
  EXPECT_EQ(page.matched, 250u);
  ASSERT_EQ(page.lines.size(), 50u);
  EXPECT_EQ(page.line_numbers.front(), 101u);
  EXPECT_EQ(page.line_numbers.back(), 150u);
  EXPECT_NE(page.lines.front().find(R"("index":100,)"), std::string::npos);

  q.process = "1";  // the odd ones: page 3 of 50 is odd indexes 201..249 (25 of them)
  q.offset = 100;
  page = index->query(q);
  EXPECT_EQ(page.matched, 125u);
  ASSERT_EQ(page.lines.size(), 25u);
  EXPECT_NE(page.lines.front().find(R"("index":201,)"), std::string::npos);
  EXPECT_EQ(page.line_numbers.front(), 202u);

  q.offset = 1000;  // past the end: no lines, the count still
  page = index->query(q);
  EXPECT_EQ(page.matched, 125u);
  EXPECT_TRUE(page.lines.empty());

  q = HistoryQuery{};
  q.limit = 0;
  page = index->query(q);
  EXPECT_EQ(page.matched, 250u);
  EXPECT_TRUE(page.lines.empty());
}

TEST(HistorySearch, PartialLastLineIsNotIndexed) {
  auto p = temp_file("live.jsonl");
  std::string full;
  for (const auto& l : kLines) full += l + "\n";
  write_file(p, full + R"({"index":8,"type":"ok","proc)");
  auto index = HistoryIndex::build(p);
  EXPECT_EQ(index->operations(), 8u);
  EXPECT_EQ(index->indexed_bytes(), full.size());
  HistoryPage page = index->query({});
  EXPECT_TRUE(page.truncated_tail);
  EXPECT_EQ(page.unreadable_lines, 0u);
  EXPECT_EQ(page.matched, 8u);

  // Even a last line that would parse is not taken before its '\n'.
  write_file(p, full + kLines[0]);
  index = HistoryIndex::build(p);
  EXPECT_EQ(index->operations(), 8u);
  EXPECT_TRUE(index->query({}).truncated_tail);

  write_file(p, full);
  index = HistoryIndex::build(p);
  EXPECT_FALSE(index->query({}).truncated_tail);
  EXPECT_EQ(index->indexed_bytes(), full.size());

  write_file(p, "");
  index = HistoryIndex::build(p);
  EXPECT_EQ(index->operations(), 0u);
  EXPECT_EQ(index->indexed_bytes(), 0u);
  EXPECT_FALSE(index->query({}).truncated_tail);
}

TEST(HistorySearch, DamagedLinesAreCountedAndSkipped) {
  auto p = temp_file("damaged.jsonl");
  write_file(p, kLines[0] + "\n" +
                    "{\"index\":1,\"type\":\"ok\",\"proc\n" +                                 // 2: cut JSON
                    " \t\r\n" +                                                            // 3: blank, not an op
                    R"({"index":2,"type":"nope","process":0,"f":"x","time":1})" + "\n" +    // 4: bad type
                    R"({"index":3,"type":"ok","process":4,"f":"x","time":7,"extra":true})" + "\n" +  // 5: slow path
                    R"({"index":4,"type":"ok","process":5,"f":"y","key":12,"time":8})" + "\n" +      // 6: slow path
                    kLines[1] + "\n");                                                      // 7
  auto index = HistoryIndex::build(p);
  HistoryPage page = index->query({});
  EXPECT_EQ(page.unreadable_lines, 2u);
  EXPECT_EQ(page.operations, 4u);
  EXPECT_EQ(page.line_numbers, (Lines{1, 5, 6, 7}));
  EXPECT_EQ(page.lines.back(), kLines[1]);
  // The lines the fast parser leaves to nlohmann are searchable like any.
  HistoryQuery q;
  q.process = "4";
  EXPECT_EQ(index->query(q).line_numbers, (Lines{5}));
  q = HistoryQuery{};
  q.key = "12";  // a non-string key is its JSON text, as Op::from_json makes it
  EXPECT_EQ(index->query(q).line_numbers, (Lines{6}));
}

TEST(HistorySearch, MissingFileIsBadInput) {
  EXPECT_THROW(HistoryIndex::build(temp_file("does-not-exist.jsonl")), BadInput);
  HistoryIndexCache cache;
  EXPECT_THROW(cache.get(temp_file("does-not-exist.jsonl")), BadInput);
  EXPECT_THROW(HistoryIndex::build(fs::temp_directory_path()), BadInput);
}

TEST(HistorySearch, CacheRebuildsWhenTheFileGrew) {
  auto p = temp_file("cache.jsonl");
  std::string text;
  for (const auto& l : kLines) text += l + "\n";
  write_file(p, text);
  HistoryIndexCache cache;
  auto first = cache.get(p);
  EXPECT_EQ(cache.get(p), first);
  EXPECT_EQ(first->operations(), 8u);

  // A live run appends a line: size and modification time change.
  auto before = fs::last_write_time(p);
  append_file(p, R"({"index":8,"type":"ok","process":"nemesis","f":"stop-kill","time":7000000000})" "\n");
  fs::last_write_time(p, before + std::chrono::seconds(1));  // coarse clocks: make sure
  auto second = cache.get(p);
  EXPECT_NE(second, first);
  EXPECT_EQ(second->operations(), 9u);
  EXPECT_EQ(first->operations(), 8u);  // a page being served from the old one is unaffected
  EXPECT_EQ(cache.get(p), second);
  HistoryQuery q;
  q.process = "nemesis";
  EXPECT_EQ(second->query(q).matched, 3u);
  EXPECT_EQ(first->query(q).matched, 2u);
}

TEST(HistorySearch, CacheKeepsTheMostRecentlyUsed) {
  std::vector<fs::path> files;
  for (int i = 0; i < 3; ++i) {
    files.push_back(temp_file("lru" + std::to_string(i) + ".jsonl"));
    write_file(files.back(), kLines[static_cast<size_t>(i)] + "\n");
  }
  HistoryIndexCache cache(2);
  auto a = cache.get(files[0]);
  auto b = cache.get(files[1]);
  EXPECT_EQ(cache.get(files[0]), a);  // a is now the most recent: b goes first
  cache.get(files[2]);
  EXPECT_EQ(cache.get(files[0]), a);
  EXPECT_NE(cache.get(files[1]), b);
}

// The correctness oracle: 100 000 generated operations, random queries, the
// index's answer against every parsed operation filtered by hand.
TEST(HistorySearch, AgreesWithBruteForceOn100000Operations) {
  auto p = temp_file("oracle.jsonl");
  std::mt19937_64 rng(42);
  const char* fs_[] = {"read", "write", "cas", "start-partition"};
  std::ostringstream text;
  std::vector<std::string> raw;
  for (int64_t i = 0; i < 100'000; ++i) {
    Op op;
    op.index = i;
    op.time = i * 1'000'000 + static_cast<int64_t>(rng() % 1'000'000);  // 1000 ops/s
    op.type = static_cast<OpType>(rng() % 4);
    op.f = fs_[rng() % 4];
    if (op.f == "start-partition") {
      op.process = kNemesisProcess;
      if (rng() % 2) op.value = {{"cut", {"n1", "n3"}}};
    } else {
      op.process = static_cast<int64_t>(rng() % 20);
      op.key = std::to_string(rng() % 100);
      switch (rng() % 4) {
        case 0: break;
        case 1: op.value = static_cast<int64_t>(rng() % 1000); break;
        case 2: op.value = {static_cast<int64_t>(rng() % 100), static_cast<int64_t>(rng() % 100)}; break;
        case 3: op.value = "s" + std::to_string(rng() % 50); break;
      }
    }
    if (op.type == OpType::fail) op.error = "timeout";
    raw.push_back(op.to_json().dump());
    text << raw.back() << '\n';
  }
  write_file(p, text.str());
  std::vector<Op> ops;
  for (const auto& l : raw) ops.push_back(Op::from_json(nlohmann::json::parse(l)));

  auto index = HistoryIndex::build(p);
  ASSERT_EQ(index->operations(), ops.size());
  for (int round = 0; round < 200; ++round) {
    HistoryQuery q;
    if (rng() % 3 == 0) q.key = std::to_string(rng() % 110);  // some keys no operation has
    if (rng() % 4 == 0) q.process = rng() % 5 == 0 ? "nemesis" : std::to_string(rng() % 22);
    if (rng() % 3 == 0) q.f = fs_[rng() % 4];
    if (rng() % 3 == 0) q.type = static_cast<OpType>(rng() % 4);
    if (rng() % 4 == 0) q.value = std::vector<std::string>{"1", "42", "[3,", "\"s1", "n3", "null"}[rng() % 6];
    if (rng() % 3 == 0) {
      q.from_s = static_cast<double>(rng() % 100'000) / 1000;  // a whole ms: some bounds fall on an op
      q.to_s = *q.from_s + static_cast<double>(rng() % 20'000) / 1000;
    }
    q.offset = rng() % 3 == 0 ? rng() % 500 : 0;
    q.limit = 1 + rng() % 200;

    std::vector<size_t> expected;
    size_t matched = 0;
    for (size_t i = 0; i < ops.size(); ++i) {
      const Op& op = ops[i];
      if (q.key && op.key != *q.key) continue;
      if (q.process && (op.is_nemesis() ? "nemesis" : std::to_string(op.process)) != *q.process) continue;
      if (q.f && op.f != *q.f) continue;
      if (q.type && op.type != *q.type) continue;
      if (q.value && op.value.dump().find(*q.value) == std::string::npos) continue;
      if (q.from_s && op.time < static_cast<int64_t>(std::llround(*q.from_s * 1e9))) continue;
      if (q.to_s && op.time > static_cast<int64_t>(std::llround(*q.to_s * 1e9))) continue;
      if (matched >= q.offset && matched - q.offset < q.limit) expected.push_back(i);
      ++matched;
    }
    HistoryPage page = index->query(q);
    ASSERT_EQ(page.matched, matched) << "round " << round;
    ASSERT_EQ(page.lines.size(), expected.size()) << "round " << round;
    for (size_t k = 0; k < expected.size(); ++k) {
      ASSERT_EQ(page.line_numbers[k], expected[k] + 1) << "round " << round;
      ASSERT_EQ(page.lines[k], raw[expected[k]]) << "round " << round;
    }
  }
  fs::remove(p);
}
