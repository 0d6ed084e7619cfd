// History formats: EDN reader, Jepsen EDN histories, the etcd text logs,
// detection.
#include <gtest/gtest.h>

#include "history/edn_reader.hpp"
#include "checker/linearizability/formats.hpp"
#include "core/errors.hpp"

using namespace eclat;
using namespace eclat::lin;

TEST(Edn, Values) {
  auto v = parse_edn("{:a 1, :b [nil true \"x\\ny\" :kw sym 2.5 -3], :c #{1} :d (1 2) #inst \"t\" 7}");
  EXPECT_EQ(v["a"], 1);
  EXPECT_TRUE(v["b"][0].is_null());
  EXPECT_EQ(v["b"][1], true);
  EXPECT_EQ(v["b"][2], "x\ny");
  EXPECT_EQ(v["b"][3], "kw");
  EXPECT_EQ(v["b"][4], "sym");
  EXPECT_DOUBLE_EQ(v["b"][5].get<double>(), 2.5);
  EXPECT_EQ(v["b"][6], -3);
  EXPECT_EQ(v["c"].size(), 1u);
  EXPECT_EQ(v["d"].size(), 2u);
  EXPECT_EQ(v["t"], 7);  // #inst "t" is a key here (the tag is dropped): its value is 7
  EXPECT_THROW(parse_edn("[1 2"), EdnError);
  EXPECT_THROW(parse_edn("{:a}"), EdnError);
  EXPECT_THROW(parse_edn("\"open"), EdnError);
  EXPECT_THROW(parse_edn(std::string(1000, '[')), EdnError);  // bounded nesting
}

TEST(Formats, Detection) {
  EXPECT_EQ(detect_format("{\"type\":\"invoke\"}\n"), HistoryFormat::jsonl);
  EXPECT_EQ(detect_format("\n{:type :invoke}\n"), HistoryFormat::edn);
  EXPECT_EQ(detect_format("[{:type :invoke}]"), HistoryFormat::edn);
  EXPECT_EQ(detect_format("INFO  jepsen.util - 1 :invoke :read nil\n"), HistoryFormat::porcupine_log);
  EXPECT_THROW(history_format_from_string("xml"), BadInput);
}

TEST(Formats, EdnHistoryBothShapes) {
  std::string lines =
      "{:process 0, :type :invoke, :f :append, :key \"0\", :value \"x 0 0 y\"}\n"
      "{:process 0, :type :ok, :f :append, :key \"0\", :value \"x 0 0 y\"}\n"
      "{:process :nemesis, :type :info, :f :start, :value nil}\n";
  ReadResult r = parse_edn_history(lines, "h");
  ASSERT_EQ(r.history.size(), 3u);
  EXPECT_EQ(r.history[1].type, OpType::ok);
  EXPECT_EQ(*r.history[1].key, "0");
  EXPECT_EQ(r.history[1].value, "x 0 0 y");
  EXPECT_TRUE(r.history[2].is_nemesis());
  EXPECT_EQ(r.lines[2], 3u);
  ReadResult v = parse_edn_history("[" + lines + "]", "h");
  EXPECT_EQ(v.history.size(), 3u);
  EXPECT_THROW(parse_edn_history("[" + lines, "h"), BadInput);
}

TEST(Formats, EtcdLog) {
  std::string log =
      "INFO  jepsen.util - 4\t:invoke\t:cas\t[2 4]\n"
      "INFO  jepsen.util - 4\t:fail\t:cas\t[2 4]\n"
      "INFO  jepsen.util - 3   :invoke :read   nil\n"
      "INFO  jepsen.util - 3   :fail   :read   :timed-out\n"
      "INFO  jepsen.core - something else entirely\n"
      "INFO  jepsen.util - 5 :invoke :write 3\n"
      "INFO  jepsen.util - 5 :info :write :timed-out\n";
  ReadResult r = parse_porcupine_log(log, "l");
  ASSERT_EQ(r.history.size(), 6u);
  EXPECT_EQ(r.history[1].type, OpType::ok);  // the compare ran and said false
  EXPECT_EQ(r.history[1].value, false);
  EXPECT_EQ(r.history[3].type, OpType::info);  // unknown read
  EXPECT_EQ(r.history[5].type, OpType::info);
  EXPECT_EQ(r.lines[4], 6u);
  EXPECT_THROW(parse_porcupine_log("INFO  jepsen.util - x :invoke :read nil\n", "l"), BadInput);
  EXPECT_THROW(parse_porcupine_log("INFO  jepsen.util - 1 :invoke\n", "l"), BadInput);
  EXPECT_THROW(parse_porcupine_log("INFO  jepsen.util - 1 :begin :read nil\n", "l"), BadInput);
}

TEST(Formats, JsonlStaysAsItWas) {
  ReadResult r = parse_any_history("{\"type\":\"invoke\",\"process\":0,\"f\":\"read\"}\n{\"type\":\"ok\",\"pro", "h");
  EXPECT_EQ(r.history.size(), 1u);
  EXPECT_TRUE(r.truncated_tail);
}
