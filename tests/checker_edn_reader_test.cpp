// The EDN reader and the Jepsen EDN history reader: every syntax element of
// the edn-format specification, each as a history that must read to the same
// operations as its JSON Lines twin; errors that name file:line:column.
#include <gtest/gtest.h>

#include <string>

#include "checker/linearizability/formats.hpp"
#include "core/errors.hpp"
#include "history/edn_export.hpp"
#include "history/edn_reader.hpp"
#include "history/independent.hpp"

using namespace eclat;
using namespace eclat::lin;

namespace {

// Both texts read to the same operations, field by field.
void expect_twins(const std::string& edn, const std::string& jsonl) {
  SCOPED_TRACE(edn);
  ReadResult e = parse_any_history(edn, "h.edn");
  ReadResult j = parse_any_history(jsonl, "h.jsonl", HistoryFormat::jsonl);
  ASSERT_EQ(e.history.size(), j.history.size());
  ASSERT_GT(e.history.size(), 0u);
  for (size_t i = 0; i < e.history.size(); ++i) {
    const Op &a = e.history[i], &b = j.history[i];
    EXPECT_EQ(a.type, b.type) << i;
    EXPECT_EQ(a.process, b.process) << i;
    EXPECT_EQ(a.f, b.f) << i;
    EXPECT_EQ(a.key, b.key) << i;
    EXPECT_EQ(a.value, b.value) << i << ": " << a.value.dump() << " vs " << b.value.dump();
    EXPECT_EQ(a.error, b.error) << i;
    EXPECT_EQ(a.time, b.time) << i;
  }
}

// A one-operation-pair history whose write carries `edn_value` in EDN and
// `json_value` in JSON.
void expect_value(const std::string& edn_value, const std::string& json_value) {
  expect_twins("{:type :invoke, :process 0, :f :write, :value " + edn_value + "}\n"
               "{:type :ok, :process 0, :f :write, :value " + edn_value + "}\n",
               "{\"type\":\"invoke\",\"process\":0,\"f\":\"write\",\"value\":" + json_value + "}\n"
               "{\"type\":\"ok\",\"process\":0,\"f\":\"write\",\"value\":" + json_value + "}\n");
}

// The BadInput message of reading `edn` as a history, or "" if it reads.
std::string error_of(const std::string& edn) {
  try {
    parse_edn_history(edn, "h.edn");
  } catch (const BadInput& e) {
    return e.what();
  }
  return "";
}

const char* kTwinJsonl =
    "{\"type\":\"invoke\",\"process\":0,\"f\":\"write\",\"value\":1}\n"
    "{\"type\":\"ok\",\"process\":0,\"f\":\"write\",\"value\":1}\n";

}  // namespace

TEST(EdnHistory, ASequenceAVectorAndAListOfOperations) {
  const std::string ops = "{:type :invoke, :process 0, :f :write, :value 1}\n"
                          "{:type :ok, :process 0, :f :write, :value 1}\n";
  expect_twins(ops, kTwinJsonl);
  expect_twins("[" + ops + "]", kTwinJsonl);
  expect_twins("(" + ops + ")", kTwinJsonl);
  expect_twins("[\n" + ops + "]\n", kTwinJsonl);
}

TEST(EdnHistory, CommentsAnywhere) {
  expect_twins("; a history, commented first\n;; and again\n"
               "( ; the list opens\n"
               "{:type ; the key\n :invoke, :process 0 :f :write :value ;the value\n 1} ; after\n"
               "{:type :ok :process 0 :f :write :value 1}\n"
               "; before the end\n) ; after it",
               kTwinJsonl);
}

TEST(EdnHistory, CommasAreWhitespace) {
  expect_twins(",,{:type,:invoke,:process,0,:f,:write,:value,1},{:type :ok :process 0 :f :write :value 1},,",
               kTwinJsonl);
}

TEST(EdnHistory, DiscardsAnywhere) {
  expect_twins("#_{:type :invoke :process 9 :f :read}\n"
               "[{:type :invoke, :process 0, #_ :ignored #_ 5 :f :write, :value 1 #_ 2}\n"
               " #_ #_ {:a 1} {:b 2}\n"
               " {:type :ok, :process 0, :f :write, :value #_ 7 1} #_ [1 2 #_ 3]]\n"
               "#_ \"trailing\"",
               kTwinJsonl);
  EXPECT_EQ(parse_edn("[1 #_2]"), nlohmann::json::parse("[1]"));
  EXPECT_EQ(parse_edn("[#_ #_ 1 2 3]"), nlohmann::json::parse("[3]"));
}

TEST(EdnHistory, JepsenRecordsAndNamespacedKeywords) {
  expect_twins("#jepsen.history.Op{:index 0, :time 12, :type :invoke, :process 0, :f :write, :value 1}\n"
               "#jepsen.history.Op{:index 1, :time 15, :type :ok, :process 0, :f :write, :value 1}\n",
               "{\"type\":\"invoke\",\"process\":0,\"f\":\"write\",\"value\":1,\"time\":12}\n"
               "{\"type\":\"ok\",\"process\":0,\"f\":\"write\",\"value\":1,\"time\":15}\n");
  expect_value(":jepsen.history/ok", "\"jepsen.history/ok\"");
  expect_value("[:a :b/c]", "[\"a\",\"b/c\"]");
}

TEST(EdnHistory, Symbols) {
  expect_value("foo", "\"foo\"");
  expect_value("[a.b/c + - ... <=> *x* !y? -z]", "[\"a.b/c\",\"+\",\"-\",\"...\",\"<=>\",\"*x*\",\"!y?\",\"-z\"]");
  expect_value("/", "\"/\"");
}

TEST(EdnHistory, StringsWithEveryEscape) {
  expect_value("\"t\\tr\\rn\\nq\\\"b\\\\s\\bf\\f\"", "\"t\\tr\\rn\\nq\\\"b\\\\s\\bf\\f\"");
  expect_value("\"\\u00e9\\u20AC\"", "\"é€\"");
  expect_value("\"\\ud83d\\ude00\"", "\"\\ud83d\\ude00\"");  // a surrogate pair: one code point
  expect_value("\"two\nlines\"", "\"two\\nlines\"");
  expect_value("\"é, raw\"", "\"é, raw\"");
}

TEST(EdnHistory, Characters) {
  expect_value("[\\a \\Z \\( \\\\ \\,]", "[\"a\",\"Z\",\"(\",\"\\\\\",\",\"]");
  expect_value("[\\newline \\space \\tab \\return \\formfeed \\backspace]", "[\"\\n\",\" \",\"\\t\",\"\\r\",\"\\f\",\"\\b\"]");
  expect_value("[\\u00e9 \\é \\o101 \\u]", "[\"é\",\"é\",\"A\",\"u\"]");
  expect_value("[\\a\\b]", "[\"a\",\"b\"]");  // a backslash ends a character
}

TEST(EdnHistory, Integers) {
  expect_value("[0 -7 +5 42N -3N 9223372036854775807 -9223372036854775808]",
               "[0,-7,5,42,-3,9223372036854775807,-9223372036854775808]");
  expect_value("18446744073709551615", "18446744073709551615");            // fits 64 bits unsigned
  expect_value("[0x1F -0x10 0xffN]", "[31,-16,255]");                     // Clojure prints hashes so
  expect_value("123456789012345678901234567890N", "\"123456789012345678901234567890\"");  // exact, as text
}

TEST(EdnHistory, Floats) {
  expect_value("[2.5 -0.5 1e3 1.5E-2 3.0M 7M 1.25e+2M]", "[2.5,-0.5,1000.0,0.015,3.0,7.0,125.0]");
  expect_value("[##Inf ##-Inf ##NaN 1e999]", "[\"##Inf\",\"##-Inf\",\"##NaN\",\"##Inf\"]");
}

TEST(EdnHistory, RatiosReducedAsClojureDoes) {
  expect_value("[1/2 2/4 4/2 -6/4 0/5]", "[\"1/2\",\"1/2\",2,\"-3/2\",0]");
}

TEST(EdnHistory, NilAndBooleans) {
  expect_value("[nil true false]", "[null,true,false]");
  expect_twins("{:type :invoke, :process 0, :f :read, :value nil}\n{:type :ok, :process 0, :f :read, :value nil}\n",
               "{\"type\":\"invoke\",\"process\":0,\"f\":\"read\",\"value\":null}\n"
               "{\"type\":\"ok\",\"process\":0,\"f\":\"read\"}\n");
}

TEST(EdnHistory, ListsVectorsMapsAndSets) {
  expect_value("(1 (2 [3]))", "[1,[2,[3]]]");
  expect_value("{:a 1, \"b\" 2, 3 4, [5] 6, nil 7}", "{\"a\":1,\"b\":2,\"3\":4,\"[5]\":6,\"null\":7}");
  // A set's order is not the writer's: equal sets read equal.
  expect_value("#{3 1 2}", "[1,2,3]");
  EXPECT_EQ(parse_edn("#{\"b\" \"a\"}"), parse_edn("#{\"a\" \"b\"}"));
  expect_value("#:user{:a 1, :b/c 2, :_/d 3, \"e\" 4}", "{\"user/a\":1,\"b/c\":2,\"d\":3,\"e\":4}");
}

TEST(EdnHistory, TaggedLiterals) {
  expect_value("#inst \"2026-12-07T10:00:00.000-00:00\"", "\"2026-12-07T10:00:00.000-00:00\"");
  expect_value("#uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\"", "\"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\"");
  // Unknown tags are carried through, and the EDN export prints them back.
  expect_value("#object[java.lang.Exception 0x1f \"boom\"]", "{\"#object\":[\"java.lang.Exception\",31,\"boom\"]}");
  expect_value("#my/tag {:a 1}", "{\"#my/tag\":{\"a\":1}}");
  expect_value("#knossos.model.CASRegister{:value 3}", "{\"value\":3}");  // a record is its map
  for (const char* text : {"#object[java.lang.Exception 0x1f \"boom\"]", "#my/tag {:a 1}", "#x 5"})
    EXPECT_EQ(parse_edn(to_edn(parse_edn(text))), parse_edn(text)) << text << " -> " << to_edn(parse_edn(text));
}

TEST(EdnHistory, AnyNesting) {
  std::string deep(200, '['), close(200, ']');
  nlohmann::json v = parse_edn(deep + "1" + close);
  for (int i = 0; i < 200; ++i) v = v[0];
  EXPECT_EQ(v, 1);
  EXPECT_THROW(parse_edn(std::string(1000, '[')), EdnError);  // bounded: no stack overflow
  EXPECT_THROW(parse_edn(std::string(1000, '[') + std::string(1000, ']')), EdnError);
  std::string discards;
  for (int i = 0; i < 100000; ++i) discards += "#_ ";
  EXPECT_THROW(parse_edn("[" + discards + "1 2]"), EdnError);  // each #_ nests: bounded too
}

TEST(EdnHistory, JepsenIndependentTuples) {
  ReadResult r = parse_edn_history(
      "{:type :invoke, :process 0, :f :cas, :value [3 [1 2]]}\n"
      "{:type :ok, :process 0, :f :cas, :value [3 [1 2]]}\n"
      "{:type :invoke, :process 1, :f :read, :value [\"k\" nil]}\n"
      "{:type :info, :process 1, :f :read, :error :timeout}\n"
      "{:type :info, :process :nemesis, :f :start, :value #{\"n1\"}}\n",
      "h.edn");
  unpack_independent(r, "h.edn");
  EXPECT_EQ(r.history[0].key, "3");
  EXPECT_EQ(r.history[0].value, nlohmann::json::parse("[1,2]"));
  EXPECT_EQ(r.history[1].key, "3");
  EXPECT_EQ(r.history[2].key, "k");
  EXPECT_TRUE(r.history[2].value.is_null());
  EXPECT_EQ(r.history[3].key, "k");  // an info with no value: its invocation's key
  EXPECT_FALSE(r.history[4].key);    // the nemesis is left alone
  ReadResult bad = parse_edn_history("{:type :invoke, :process 0, :f :read, :value nil}\n", "h.edn");
  try {
    unpack_independent(bad, "h.edn");
    FAIL() << "an invocation without a [key value] pair was taken";
  } catch (const BadInput& e) {
    EXPECT_NE(std::string(e.what()).find("h.edn:1:"), std::string::npos) << e.what();
  }
}

TEST(EdnHistory, ErrorsNameFileLineAndColumn) {
  struct Case {
    std::string text, where, says;
  };
  const Case cases[] = {
      {"{:type :invoke :process 0 :f :write :value 1}\n\n   {:type :ok :f \"open", "h.edn:3:", "never ends"},
      {"[{:type :invoke :process 0 :f :write :value 1}\n {:type :ok :process 0 :f :write :value 1}", "h.edn:1:1:", "the history's vector never closes"},
      {"{:type :invoke :process 0 :f :write :value [1 2)}", "h.edn:1:48:", "unbalanced ')'"},
      {"{:type :invoke :process 0\n :f :write :value \"a\\qb\"}", "h.edn:2:21:", "unknown escape \\q"},
      {"{:type :invoke :process 0 :f :write :value \\nope}", "h.edn:1:44:", "unknown character \\nope"},
      {"{:type :invoke :process 0 :f :write :value 007}", "h.edn:1:44:", "leading zero"},
      {"{:type :invoke :process 0 :f :write :value}", "h.edn:1:1:", "odd number of forms"},
      {"{:type :invoke :process 0 :f :write :value 'x}", "h.edn:1:44:", "not EDN: a quoted form"},
      {"{:type :invoke :process 0 :f :write :value #\"re\"}", "h.edn:1:44:", "regular expression"},
      {"  {:process 0 :f :write :value 1}", "h.edn:1:3:", "missing :type"},
      {"{:type :invoke :process 0 :f :write :value #{1 1}}", "h.edn:1:44:", "the element 1 twice"},
      {"{:type :invoke :type :ok :process 0 :f :write}", "h.edn:1:16:", "the key :type twice"},
      {"{:type :invoke :process 0 :f :write :value 1/0}", "h.edn:1:44:", "denominator 0"},
      {"{:type :invoke :process 0 :f :write :value ::auto}", "h.edn:1:44:", "auto-resolved keyword"},
      {"[{:type :invoke :process 0 :f :write :value 1}] 5", "h.edn:1:49:", "text after the history"},
      {"{:type :invoke :process 0 :f :write :value #_}", "h.edn:1:44:", "#_ discards nothing"},
      {"{:type :invoke :process 0 :f :write :value 1.5e}", "h.edn:1:44:", "exponent without digits"},
      {"7", "h.edn:1:1:", "an operation must be a map"},
  };
  for (const Case& c : cases) {
    std::string e = error_of(c.text);
    EXPECT_NE(e.find(c.where), std::string::npos) << c.text << "\n  -> " << e;
    EXPECT_NE(e.find(c.says), std::string::npos) << c.text << "\n  -> " << e;
  }
}
