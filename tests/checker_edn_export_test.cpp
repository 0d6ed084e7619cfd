// The EDN writer (eclat export): every operation reads back through the EDN
// history reader as the same operation, awkward strings and keys included.
#include <gtest/gtest.h>

#include <sstream>

#include "history/edn_export.hpp"
#include "checker/linearizability/formats.hpp"

using namespace eclat;

namespace {
Op make(OpType type, int64_t process, std::string f, nlohmann::json value) {
  Op op;
  op.type = type;
  op.process = process;
  op.f = std::move(f);
  op.value = std::move(value);
  return op;
}
}  // namespace

TEST(EdnExport, ReadsBackAsTheSameOperations) {
  History h;
  h.push_back(make(OpType::invoke, 3, "cas", {1, 2}));
  h.back().key = "k 0";
  h.push_back(make(OpType::fail, 3, "cas", {1, 2}));
  h.back().key = "k 0";
  h.back().error = "compare \"failed\"\nagain\\";
  h.push_back(make(OpType::invoke, 4, "read", nullptr));
  h.back().key = "7";
  h.push_back(make(OpType::ok, 4, "read", nullptr));
  h.back().key = "7";
  h.push_back(make(OpType::info, kNemesisProcess, "start-partition",
                   {{"grudge", {{"n1", {"n2", "n3"}}}}, {"two words", 2.5}, {"0", true}, {"mechanism", "tab\there"}}));
  h.push_back(make(OpType::invoke, 5, "weird f", "x\x01y"));
  h.push_back(make(OpType::ok, 5, "weird f", "x\x01y"));
  for (size_t i = 0; i < h.size(); ++i) {
    h[i].index = static_cast<int64_t>(i);
    h[i].time = 1000 * static_cast<int64_t>(i) + 7;
  }
  std::ostringstream out;
  write_edn_history(h, out);
  EXPECT_EQ(lin::detect_format(out.str()), lin::HistoryFormat::edn);
  ReadResult back = lin::parse_edn_history(out.str(), "exported");
  ASSERT_EQ(back.history.size(), h.size()) << out.str();
  for (size_t i = 0; i < h.size(); ++i) {
    EXPECT_EQ(back.history[i].to_json(), h[i].to_json()) << out.str();
  }
  EXPECT_NE(out.str().find(":f :cas"), std::string::npos);
  EXPECT_NE(out.str().find(":process :nemesis"), std::string::npos);
  EXPECT_NE(out.str().find("\"two words\" 2.5"), std::string::npos);
}
