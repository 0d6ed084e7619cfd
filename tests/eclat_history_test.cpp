// The history format: what the writer puts on disk is what the reader gets
// back, and a run killed in the middle of a line stays readable.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "history/history.hpp"
#include "core/errors.hpp"

using namespace eclat;

namespace {
std::filesystem::path temp_file(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("eclat-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return dir / name;
}
}  // namespace

TEST(History, WriterAndReaderAgree) {
  auto path = temp_file("roundtrip.jsonl");
  std::filesystem::remove(path);
  {
    HistoryWriter w(path);
    Op a;
    a.f = "add";
    a.process = 3;
    a.value = 7;
    w.record(a);
    a.type = OpType::ok;
    w.record(a);
    Op n;
    n.process = kNemesisProcess;
    n.f = "start-kill";
    n.type = OpType::info;
    n.value = {{"nodes", {"n2"}}};
    n.error = "x";
    w.record(n);
  }
  auto r = read_history(path);
  ASSERT_EQ(r.history.size(), 3u);
  EXPECT_FALSE(r.truncated_tail);
  EXPECT_EQ(r.history[0].index, 0);
  EXPECT_EQ(r.history[1].type, OpType::ok);
  EXPECT_EQ(r.history[1].value, 7);
  EXPECT_LE(r.history[0].time, r.history[1].time);
  EXPECT_TRUE(r.history[2].is_nemesis());
  EXPECT_EQ(r.history[2].value["nodes"][0], "n2");
  EXPECT_EQ(r.history[2].error, "x");
  // The on-disk form is the documented one.
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["type"], "invoke");
  EXPECT_EQ(j["process"], 3);
  EXPECT_EQ(j["f"], "add");
}

TEST(History, TruncatedLastLineIsSkipped) {
  auto path = temp_file("truncated.jsonl");
  std::ofstream(path) << R"({"index":0,"type":"invoke","process":0,"f":"add","value":1,"time":5})"
                      << "\n"
                      << R"({"index":1,"type":"ok","process":0,"f":"ad)";
  auto r = read_history(path);
  EXPECT_TRUE(r.truncated_tail);
  ASSERT_EQ(r.history.size(), 1u);
}

TEST(History, MalformedLineNamesTheLine) {
  auto path = temp_file("malformed.jsonl");
  std::ofstream(path) << R"({"index":0,"type":"invoke","process":0,"f":"add","value":1,"time":5})"
                      << "\n"
                      << R"({"index":1,"type":"maybe","process":0,"f":"add","time":6})"
                      << "\n";
  try {
    read_history(path);
    FAIL() << "a malformed line was accepted";
  } catch (const BadInput& e) {
    EXPECT_NE(std::string(e.what()).find(":2:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("maybe"), std::string::npos) << e.what();
  }
}

TEST(History, MissingFieldIsBadInput) {
  auto path = temp_file("nofield.jsonl");
  std::ofstream(path) << R"({"index":0,"process":0,"f":"add"})" << "\n";
  EXPECT_THROW(read_history(path), BadInput);
}

#include "history/fast_parse.hpp"

TEST(History, FastAndSlowParsersAgree) {
  const char* lines[] = {
      R"({"index":0,"type":"invoke","process":3,"f":"add","value":5,"time":12})",
      R"({"f":"read","index":1,"process":7,"time":13,"type":"ok","value":[1,2,3,-4,18446744073709551615,2.5,"x",null,true,{"a":[1]}]})",
      R"({"index":2,"type":"info","process":"nemesis","f":"start-partition","value":{"grudge":{"n1":["n2"]}},"time":14,"error":"e\"\u00e9"})",
      R"({"type":"ok","process":1,"f":"write","key":"k1","value":null,"time":15})",
  };
  FastOpParser fast;
  for (const char* line : lines) {
    Op a;
    ASSERT_TRUE(fast.parse(line, a)) << line;
    Op b = Op::from_json(nlohmann::json::parse(line));
    EXPECT_EQ(a.to_json(), b.to_json()) << line;
  }
  // Shapes the fast path leaves to the slow one (which decides or explains).
  Op x;
  EXPECT_FALSE(fast.parse(R"({"type":"ok","process":1,"f":"add","extra":1})", x));
  EXPECT_FALSE(fast.parse(R"({"type":"maybe","process":1,"f":"add"})", x));
  EXPECT_FALSE(fast.parse(R"({"type":"ok","process":1})", x));
  EXPECT_FALSE(fast.parse(R"({"type":"ok","process":1,"f":"add"} trailing)", x));
  EXPECT_FALSE(fast.parse(R"({"type":"ok","process":1,"f":"ad)", x));
}
