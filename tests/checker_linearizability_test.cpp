// The linearizability checker: every public Porcupine history gets its
// expected verdict, small hand-made histories per model, indeterminate
// operations, budgets, and the counterexample.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <algorithm>
#include <map>
#include <random>
#include <tuple>
#include <sstream>

#include "checker/graphviz_render.hpp"
#include "checker/linearizability/formats.hpp"
#include "checker/linearizability/linearizable.hpp"
#include "core/errors.hpp"
#include "checker_test_util.hpp"

namespace fs = std::filesystem;
using namespace eclat;
using namespace eclat::lin;

namespace {

const fs::path kData = fs::path(ECLAT_SHARED_DIR) / "data/histories/porcupine";

Outcome check_text(const std::string& text, const std::string& model, bool split = true,
                   Report* out = nullptr) {
  ReadResult r = parse_any_history(text, "test");
  CheckOptions o;
  o.model = model;
  o.split = split;
  o.time_limit_s = 60;
  std::vector<std::string> where;
  auto ops = pair_operations(r.history, r.lines, "test", &where);
  Report rep = check_operations(ops, o, where);
  if (out) *out = rep;
  return rep.outcome;
}

using checker_test::jsonl;

struct Expected {
  std::string file, verdict;
};

std::vector<Expected> expected_verdicts() {
  std::vector<Expected> v;
  std::ifstream in(kData / "EXPECTED.tsv");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    Expected e;
    ls >> e.file >> e.verdict;
    v.push_back(e);
  }
  return v;
}

class PorcupineHistory : public ::testing::TestWithParam<Expected> {};

TEST_P(PorcupineHistory, GetsItsExpectedVerdict) {
  const Expected& e = GetParam();
  ReadResult r = read_any_history(kData / e.file);
  CheckOptions o;
  o.model = e.file.rfind("kv/", 0) == 0 ? "kv" : "cas-register";
  o.counterexample = false;
  o.time_limit_s = 170;  // c50-bad: its worst key is refuted exhaustively
  Report rep = check_operations(pair_operations(r.history, r.lines, e.file), o);
  if (r.history.empty()) {
    // Porcupine calls an empty log (etcd_095) linearizable; Éclat gives no
    // verdict on nothing: unknown, with the reason.
    EXPECT_EQ(rep.outcome, Outcome::unknown) << rep.summary();
    EXPECT_NE(rep.summary().find("no operation"), std::string::npos) << rep.summary();
  } else if (e.verdict == "linearizable" || e.verdict == "NO_TEST") {
    EXPECT_EQ(rep.outcome, Outcome::linearizable) << rep.summary();
  } else {
    ASSERT_EQ(e.verdict, "NOT_linearizable");
    EXPECT_EQ(rep.outcome, Outcome::not_linearizable) << rep.summary();
  }
}

std::string name_of(const ::testing::TestParamInfo<Expected>& info) {
  std::string n = info.param.file;
  for (char& c : n)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(All, PorcupineHistory, ::testing::ValuesIn(expected_verdicts()), name_of);

TEST(PorcupineData, IsThere) { EXPECT_EQ(expected_verdicts().size(), 109u) << kData; }

// ---- cas-register -------------------------------------------------------

TEST(CasRegister, ConcurrentWritesEitherOrder) {
  // Two overlapping writes, then reads that saw 2 then... 2: one order works.
  EXPECT_EQ(check_text(jsonl({"0 invoke write 1", "1 invoke write 2", "0 ok write 1", "1 ok write 2",
                              "2 invoke read null", "2 ok read 1"}),
                       "cas-register"),
            Outcome::linearizable);
  EXPECT_EQ(check_text(jsonl({"0 invoke write 1", "1 invoke write 2", "0 ok write 1", "1 ok write 2",
                              "2 invoke read null", "2 ok read 2"}),
                       "cas-register"),
            Outcome::linearizable);
  // ...but not both, one after the other.
  EXPECT_EQ(check_text(jsonl({"0 invoke write 1", "1 invoke write 2", "0 ok write 1", "1 ok write 2",
                              "2 invoke read null", "2 ok read 1", "2 invoke read null", "2 ok read 2"}),
                       "cas-register"),
            Outcome::not_linearizable);
}

TEST(CasRegister, StaleReadIsNotLinearizable) {
  EXPECT_EQ(check_text(jsonl({"0 invoke write 1", "0 ok write 1", "0 invoke write 2", "0 ok write 2",
                              "1 invoke read null", "1 ok read 1"}),
                       "cas-register"),
            Outcome::not_linearizable);
  // Initially nil.
  EXPECT_EQ(check_text(jsonl({"1 invoke read null", "1 ok read 3"}), "cas-register"),
            Outcome::not_linearizable);
  EXPECT_EQ(check_text(jsonl({"1 invoke read null", "1 ok read null"}), "cas-register"),
            Outcome::linearizable);
}

TEST(CasRegister, CrashedWriteSeenOrNot) {
  // The write crashed (info): later reads may see it, or not, but once seen
  // it cannot be unseen.
  auto base = std::vector<std::string>{"0 invoke write 1", "0 ok write 1", "1 invoke write 2",
                                       "1 info write 2"};
  auto with = [&](std::vector<std::string> more) {
    auto v = base;
    v.insert(v.end(), more.begin(), more.end());
    return jsonl(v);
  };
  EXPECT_EQ(check_text(with({"2 invoke read null", "2 ok read 2"}), "cas-register"), Outcome::linearizable);
  EXPECT_EQ(check_text(with({"2 invoke read null", "2 ok read 1"}), "cas-register"), Outcome::linearizable);
  EXPECT_EQ(check_text(with({"2 invoke read null", "2 ok read 2", "2 invoke read null", "2 ok read 1"}),
                       "cas-register"),
            Outcome::not_linearizable);
  // Never completed at all: the same as info.
  EXPECT_EQ(check_text(jsonl({"1 invoke write 2", "2 invoke read null", "2 ok read 2"}), "cas-register"),
            Outcome::linearizable);
  // It cannot take effect before it was invoked.
  EXPECT_EQ(check_text(jsonl({"2 invoke read null", "2 ok read 2", "1 invoke write 2", "1 info write 2"}),
                       "cas-register"),
            Outcome::not_linearizable);
  // A failed write did not happen.
  EXPECT_EQ(check_text(jsonl({"1 invoke write 2", "1 fail write 2", "2 invoke read null", "2 ok read 2"}),
                       "cas-register"),
            Outcome::not_linearizable);
}

TEST(CasRegister, CompareAndSet) {
  EXPECT_EQ(check_text(jsonl({"0 invoke write 1", "0 ok write 1", "1 invoke cas [1,2]", "1 ok cas [1,2]",
                              "2 invoke read null", "2 ok read 2"}),
                       "cas-register"),
            Outcome::linearizable);
  // A successful cas needs the expected value.
  EXPECT_EQ(check_text(jsonl({"0 invoke write 3", "0 ok write 3", "1 invoke cas [1,2]", "1 ok cas [1,2]"}),
                       "cas-register"),
            Outcome::not_linearizable);
  // A cas that ran and lost its compare (ok, value false) says the register
  // did not hold 1: fine when it held 3, impossible when it held 1.
  EXPECT_EQ(check_text(jsonl({"0 invoke write 3", "0 ok write 3", "1 invoke cas [1,2]", "1 ok cas false",
                              "2 invoke read null", "2 ok read 3"}),
                       "cas-register"),
            Outcome::linearizable);
  EXPECT_EQ(check_text(jsonl({"0 invoke write 1", "0 ok write 1", "1 invoke cas [1,2]", "1 ok cas false"}),
                       "cas-register"),
            Outcome::not_linearizable);
  // A failed cas (fail) did not happen: it says nothing.
  EXPECT_EQ(check_text(jsonl({"0 invoke write 1", "0 ok write 1", "1 invoke cas [1,2]", "1 fail cas [1,2]",
                              "2 invoke read null", "2 ok read 1"}),
                       "cas-register"),
            Outcome::linearizable);
  // An indeterminate cas may have swapped.
  EXPECT_EQ(check_text(jsonl({"0 invoke write 1", "0 ok write 1", "1 invoke cas [1,2]", "1 info cas [1,2]",
                              "2 invoke read null", "2 ok read 2"}),
                       "cas-register"),
            Outcome::linearizable);
}

TEST(CasRegister, KeysAreIndependentRegisters) {
  Report rep;
  EXPECT_EQ(check_text(jsonl({"0 invoke write 1 a", "0 ok write 1 a", "1 invoke read null b",
                              "1 ok read null b", "1 invoke read null a", "1 ok read 1 a"}),
                       "cas-register", true, &rep),
            Outcome::linearizable);
  EXPECT_EQ(rep.parts.size(), 2u);
  EXPECT_EQ(check_text(jsonl({"0 invoke write 1 a", "0 ok write 1 a", "1 invoke read null b",
                              "1 ok read 1 b"}),
                       "cas-register"),
            Outcome::not_linearizable);
}

TEST(CasRegister, EtcdLogSemantics) {
  // :fail :cas happened and returned false; :fail :read :timed-out is unknown.
  std::string log =
      "INFO  jepsen.util - 0\t:invoke\t:write\t1\n"
      "INFO  jepsen.util - 0\t:ok\t:write\t1\n"
      "INFO  jepsen.util - 1\t:invoke\t:cas\t[1 2]\n"
      "INFO  jepsen.util - 1\t:fail\t:cas\t[1 2]\n";
  EXPECT_EQ(check_text(log, "cas-register"), Outcome::not_linearizable);
  std::string log2 =
      "INFO  jepsen.util - 0 :invoke :write 1\n"
      "INFO  jepsen.util - 0 :ok :write 1\n"
      "INFO  jepsen.util - 1 :invoke :read nil\n"
      "INFO  jepsen.util - 1 :fail :read :timed-out\n"
      "INFO  jepsen.util - 2 :invoke :cas [0 2]\n"
      "INFO  jepsen.util - 2 :fail :cas [0 2]\n";
  EXPECT_EQ(check_text(log2, "cas-register"), Outcome::linearizable);
}

TEST(CasRegister, EdnFailDidNotHappen) {
  // In EDN histories (Knossos's reading) a :fail cas did not happen at all.
  std::string edn =
      "[{:process 0, :type :invoke, :f :write, :value 1}\n"
      " {:process 0, :type :ok, :f :write, :value 1}\n"
      " {:process 1, :type :invoke, :f :cas, :value [1 2]}\n"
      " {:process 1, :type :fail, :f :cas, :value [1 2]}\n"
      " {:process 2, :type :invoke, :f :read, :value nil}\n"
      " {:process 2, :type :ok, :f :read, :value 1}]\n";
  EXPECT_EQ(check_text(edn, "cas-register"), Outcome::linearizable);
}

// ---- kv -----------------------------------------------------------------

// A read of a value nobody wrote, after thousands of concurrent operations:
// refuted before any search (an exhaustive search of everything before it
// ran out of memory instead: verdict unknown on a plainly invalid history).
TEST(CasRegister, AReadOfAValueNobodyWroteIsRefutedAtOnce) {
  std::mt19937 rng(5);
  // 20 processes, each a chain of writes and reads of one register; an
  // operation takes effect at a random point of its interval.
  struct Ev { double t; int kind; int p; bool write; int v; };
  std::vector<Ev> evs;
  std::vector<std::tuple<double, bool, int, size_t>> lin;  // (point, write?, value, read's index)
  std::vector<int> read_value;  // per operation: the value written, or read
  std::uniform_real_distribution<double> u(0, 1);
  for (int p = 0; p < 20; ++p) {
    double t = u(rng);
    for (int i = 0; i < 150; ++i) {
      double d = 0.5 + 2.5 * u(rng), at = t + d * u(rng);
      bool w = rng() % 2;
      int v = static_cast<int>(rng() % 5);
      size_t idx = read_value.size();
      read_value.push_back(v);
      lin.emplace_back(at, w, v, idx);
      evs.push_back({t, 0, p, w, static_cast<int>(idx)});
      evs.push_back({t + d, 1, p, w, static_cast<int>(idx)});
      t += d + 0.5 * u(rng);
    }
  }
  std::sort(lin.begin(), lin.end());
  int reg = 0;
  for (auto& [at, w, v, idx] : lin) {
    if (w) reg = v;
    else read_value[idx] = reg;
  }
  std::sort(evs.begin(), evs.end(), [](const Ev& a, const Ev& b) { return a.t < b.t; });
  std::string h;
  for (const Ev& e : evs) {
    const int v = read_value[e.v];  // a write's value, or what a read returned
    std::string value = e.write || e.kind == 1 ? std::to_string(v) : "null";
    h += "{\"type\":\"" + std::string(e.kind ? "ok" : "invoke") + "\",\"process\":" + std::to_string(e.p) +
         ",\"f\":\"" + (e.write ? "write" : "read") + "\",\"value\":" + value + "}\n";
  }
  CheckOptions o;
  o.model = "cas-register";
  o.initial = 0;
  o.memory_limit = int64_t{256} << 20;
  o.time_limit_s = 120;
  o.counterexample = false;
  ReadResult r = parse_any_history(h, "h");
  auto ops = pair_operations(r.history);
  EXPECT_EQ(check_operations(ops, o).outcome, Outcome::linearizable);
  // The last read completed returns 7, which no operation ever wrote.
  const size_t last = h.rfind("\"f\":\"read\",\"value\":");
  ASSERT_NE(last, std::string::npos);
  const size_t digit = h.find(':', last + 12) + 1;
  std::string bad = h.substr(0, digit) + "7" + h.substr(h.find('}', digit));
  r = parse_any_history(bad, "h");
  ops = pair_operations(r.history);
  Report rep = check_operations(ops, o);
  EXPECT_EQ(rep.outcome, Outcome::not_linearizable) << rep.summary();
}

TEST(Kv, AppendsAndGets) {
  EXPECT_EQ(check_text(jsonl({"0 invoke append \"a\" k", "1 invoke append \"b\" k", "0 ok append \"a\" k",
                              "1 ok append \"b\" k", "2 invoke get null k", "2 ok get \"ba\" k"}),
                       "kv"),
            Outcome::linearizable);
  EXPECT_EQ(check_text(jsonl({"0 invoke append \"a\" k", "0 ok append \"a\" k", "1 invoke append \"b\" k",
                              "1 ok append \"b\" k", "2 invoke get null k", "2 ok get \"ba\" k"}),
                       "kv"),
            Outcome::not_linearizable);
  // Stale read after a put.
  EXPECT_EQ(check_text(jsonl({"0 invoke put \"x\" k", "0 ok put \"x\" k", "0 invoke put \"y\" k",
                              "0 ok put \"y\" k", "1 invoke get null k", "1 ok get \"x\" k"}),
                       "kv"),
            Outcome::not_linearizable);
  // An absent key reads as "".
  EXPECT_EQ(check_text(jsonl({"1 invoke get null k", "1 ok get \"\" k"}), "kv"), Outcome::linearizable);
  // A crashed append may show up later.
  EXPECT_EQ(check_text(jsonl({"0 invoke append \"a\" k", "0 info append \"a\" k", "1 invoke get null k",
                              "1 ok get \"\" k", "1 invoke get null k", "1 ok get \"a\" k"}),
                       "kv"),
            Outcome::linearizable);
}

TEST(Kv, OnePartitionAgreesWithSplit) {
  for (const char* f : {"kv/c01-ok.txt", "kv/c01-bad.txt", "kv/c10-ok.txt", "kv/c10-bad.txt"}) {
    ReadResult r = read_any_history(kData / f);
    auto ops = pair_operations(r.history, r.lines, f);
    CheckOptions o;
    o.model = "kv";
    o.counterexample = false;
    o.time_limit_s = 60;
    Report split = check_operations(ops, o);
    o.split = false;
    Report one = check_operations(ops, o);
    EXPECT_EQ(one.parts.size(), 1u);
    EXPECT_EQ(split.outcome, one.outcome) << f;
    EXPECT_NE(one.outcome, Outcome::unknown) << f;
  }
}

// ---- multi-register -----------------------------------------------------

TEST(MultiRegister, Transactions) {
  std::string ok =
      "{\"type\":\"invoke\",\"process\":0,\"f\":\"txn\",\"value\":[[\"w\",\"x\",1],[\"w\",\"y\",1]]}\n"
      "{\"type\":\"ok\",\"process\":0,\"f\":\"txn\",\"value\":[[\"w\",\"x\",1],[\"w\",\"y\",1]]}\n"
      "{\"type\":\"invoke\",\"process\":1,\"f\":\"txn\",\"value\":[[\"r\",\"x\",null],[\"r\",\"y\",null]]}\n"
      "{\"type\":\"ok\",\"process\":1,\"f\":\"txn\",\"value\":[[\"r\",\"x\",1],[\"r\",\"y\",1]]}\n";
  EXPECT_EQ(check_text(ok, "multi-register"), Outcome::linearizable);
  // A torn read: x from after the transaction, y from before.
  std::string torn =
      "{\"type\":\"invoke\",\"process\":0,\"f\":\"txn\",\"value\":[[\"w\",\"x\",1],[\"w\",\"y\",1]]}\n"
      "{\"type\":\"invoke\",\"process\":1,\"f\":\"txn\",\"value\":[[\"r\",\"x\",null],[\"r\",\"y\",null]]}\n"
      "{\"type\":\"ok\",\"process\":0,\"f\":\"txn\",\"value\":[[\"w\",\"x\",1],[\"w\",\"y\",1]]}\n"
      "{\"type\":\"ok\",\"process\":1,\"f\":\"txn\",\"value\":[[\"r\",\"x\",1],[\"r\",\"y\",null]]}\n";
  EXPECT_EQ(check_text(torn, "multi-register"), Outcome::not_linearizable);
  // Keys tied by a transaction are one part; others are apart.
  Report rep;
  std::string parts =
      "{\"type\":\"invoke\",\"process\":0,\"f\":\"txn\",\"value\":[[\"w\",\"x\",1],[\"w\",\"y\",1]]}\n"
      "{\"type\":\"ok\",\"process\":0,\"f\":\"txn\",\"value\":[[\"w\",\"x\",1],[\"w\",\"y\",1]]}\n"
      "{\"type\":\"invoke\",\"process\":1,\"f\":\"write\",\"key\":\"z\",\"value\":3}\n"
      "{\"type\":\"ok\",\"process\":1,\"f\":\"write\",\"key\":\"z\",\"value\":3}\n";
  EXPECT_EQ(check_text(parts, "multi-register", true, &rep), Outcome::linearizable);
  EXPECT_EQ(rep.parts.size(), 2u);
}

// ---- budget, counterexample, bad input ----------------------------------

TEST(Budget, EndsInUnknownWithItsCause) {
  ReadResult r = read_any_history(kData / "jepsen/etcd_002.log");
  auto ops = pair_operations(r.history, r.lines, "etcd_002");
  CheckOptions o;
  o.model = "cas-register";
  o.memory_limit = 64 << 10;  // 64 KiB: far too little
  Report rep = check_operations(ops, o);
  EXPECT_EQ(rep.outcome, Outcome::unknown);
  EXPECT_NE(rep.summary().find("memory budget"), std::string::npos) << rep.summary();
  o.memory_limit = 0;
  o.time_limit_s = 1e-6;
  rep = check_operations(ops, o);
  EXPECT_EQ(rep.outcome, Outcome::unknown);
  EXPECT_NE(rep.summary().find("time limit"), std::string::npos) << rep.summary();
}

TEST(Counterexample, C01BadIsSmallAndDrawn) {
  ReadResult r = read_any_history(kData / "kv/c01-bad.txt");
  CheckOptions o;
  o.model = "kv";
  Report rep = check_operations(pair_operations(r.history, r.lines, "c01-bad"), o);
  ASSERT_EQ(rep.outcome, Outcome::not_linearizable);
  ASSERT_TRUE(rep.counterexample);
  const Counterexample& cx = *rep.counterexample;
  EXPECT_LE(cx.ops.size(), 5u) << cx.table();
  EXPECT_GE(cx.stuck, 0);
  EXPECT_NE(cx.why.find("read"), std::string::npos) << cx.why;
  // The shrunk history is still not linearizable on its own.
  fs::path dir = fs::temp_directory_path() / ("eclat_lin_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::string err;
  ASSERT_TRUE(render_dot_svg(cx.dot(), "dot", dir / "cx.svg", err)) << err;
  std::ifstream in(dir / "cx.svg");
  std::string svg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("get"), std::string::npos);
  fs::remove_all(dir);
  std::string table = cx.table();
  EXPECT_NE(table.find("longest linearizable prefix"), std::string::npos);
  EXPECT_NE(table.find("cannot place"), std::string::npos);
}

TEST(Counterexample, ShrunkHistoryStillFails) {
  ReadResult r = read_any_history(kData / "jepsen/etcd_000.log");
  CheckOptions o;
  o.model = "cas-register";
  Report rep = check_operations(pair_operations(r.history, r.lines, "etcd_000"), o);
  ASSERT_EQ(rep.outcome, Outcome::not_linearizable);
  ASSERT_TRUE(rep.counterexample);
  // Small, and only what explains it: an indeterminate write stays only
  // if something left could have seen its value (else it is dropped).
  EXPECT_LE(rep.counterexample->ops.size(), 25u) << rep.counterexample->table();
  EXPECT_LT(rep.counterexample->ops.size(), rep.counterexample->original_ops);
  CheckOptions again;
  again.model = "cas-register";
  again.counterexample = false;
  EXPECT_EQ(check_operations(rep.counterexample->ops, again).outcome, Outcome::not_linearizable);
}

TEST(BadInput, NamesTheLine) {
  auto bad = [](const std::string& text, const std::string& model, const std::string& want) {
    try {
      check_text(text, model);
      ADD_FAILURE() << "no BadInput for: " << text;
    } catch (const BadInput& e) {
      EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
    }
  };
  bad("{\"type\":\"invoke\",\"process\":0,\"f\":\"read\"}\n{not json}\n", "cas-register", "test:2");
  bad("INFO  jepsen.util - 0 :invoke :read nil\nINFO  jepsen.util - 0 :ok :read [1\n", "cas-register", "test:2");
  bad("INFO  jepsen.util - 0 :invoke :read nil\ngarbage\n", "cas-register", "test:2");
  bad("{:process 0, :type :invoke, :f :read}\n{:process 0 :type}\n", "cas-register", "test:2");
  bad("{:process 0, :type :ok, :f :read, :value 1}\n", "cas-register", "test:1");  // no invocation
  bad(jsonl({"0 invoke frobnicate 1"}), "cas-register", "test:1");
  bad(jsonl({"0 invoke cas 1", "0 ok cas 1"}), "cas-register", "test:1");
  bad(jsonl({"0 invoke read null", "0 invoke read null"}), "cas-register", "test:2");
}

}  // namespace
