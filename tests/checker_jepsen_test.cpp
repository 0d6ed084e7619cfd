// Histories Éclat did not write, end to end with the real binary: a Jepsen
// store directory (made by hand: records, sets in nemesis values, :error
// keys, results.edn), --initial, --independent, and the Porcupine export
// read back to the same verdicts.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "checker_test_util.hpp"
#include "eclat_run_util.hpp"

using e2e::eclat;
using e2e::Result;

namespace {
const fs::path kData = fs::path(ECLAT_SHARED_DIR) / "data/histories/porcupine";

using checker_test::Tmp;

// Every file under `dir` with its size and modification time.
std::map<std::string, std::pair<uintmax_t, fs::file_time_type>> listing(const fs::path& dir) {
  std::map<std::string, std::pair<uintmax_t, fs::file_time_type>> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out[e.path().string()] = {e.file_size(), e.last_write_time()};
  return out;
}

// A cas-register history as jepsen.history writes it: records, a nemesis
// whose values are sets, an :error on an info. Process 1 reads 2 after the
// write of 3 completed, with nothing else writing: not linearizable.
const char* kInvalidStoreHistory =
    "#jepsen.history.Op{:index 0, :time 1000, :type :invoke, :process 0, :f :write, :value 3}\n"
    "#jepsen.history.Op{:index 1, :time 2000, :type :invoke, :process :nemesis, :f :start-partition, :value :majority}\n"
    "#jepsen.history.Op{:index 2, :time 3000, :type :info, :process :nemesis, :f :start-partition, "
    ":value {\"n1\" #{\"n4\" \"n5\"}, \"n2\" #{\"n4\" \"n5\"}}}\n"
    "#jepsen.history.Op{:index 3, :time 4000, :type :ok, :process 0, :f :write, :value 3}\n"
    "#jepsen.history.Op{:index 4, :time 5000, :type :invoke, :process 2, :f :cas, :value [1 4]}\n"
    "#jepsen.history.Op{:index 5, :time 6000, :type :info, :process 2, :f :cas, :value [1 4], "
    ":error [:socket-timeout \"read timed out\"]}\n"
    "#jepsen.history.Op{:index 6, :time 7000, :type :invoke, :process 1, :f :read, :value nil}\n"
    "#jepsen.history.Op{:index 7, :time 8000, :type :ok, :process 1, :f :read, :value 2}\n";

const char* kResultsInvalid =
    "{:perf {:latency-graph {:valid? true}, :valid? true},\n"
    " :linear {:valid? false, :configs ({:model #knossos.model.CASRegister{:value 3}, :last-op nil})},\n"
    " :valid? false}\n";

}  // namespace

TEST(JepsenStore, ChecksTheStoreDirectoryAndShowsJepsensVerdict) {
  Tmp t("jepsen");
  const fs::path run = "store/cas-register/20261207T100000.000Z";
  t.write(run / "history.edn", kInvalidStoreHistory);
  t.write(run / "results.edn", kResultsInvalid);
  t.write(run / "jepsen.log", "INFO  jepsen.core - Run complete\n");
  fs::create_directory_symlink("20261207T100000.000Z", t.path() / "store/cas-register/latest");
  const auto before = listing(t.path() / "store");
  for (const fs::path& dir : {t.path() / run, t.path() / "store/cas-register/latest",
                              t.path() / "store/cas-register"}) {
    Result r = eclat("check " + dir.string() + " --model cas-register --out " + (t.path() / "out").string());
    EXPECT_EQ(r.code, 1) << dir << "\n" << r.output;
    EXPECT_NE(r.output.find("jepsen       valid? false"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("Eclat agrees"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("read -> 2"), std::string::npos) << r.output;  // the counterexample
  }
  // Without --out nothing is written into Jepsen's store either.
  Result r = eclat("check " + (t.path() / run).string() + " --model cas-register", "cd " + t.path().string() + " &&");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_EQ(listing(t.path() / "store"), before) << "the Jepsen store was written to";

  // Jepsen said valid where the history is not: the disagreement is shown.
  t.write(run / "results.edn", "{:valid? true}");
  r = eclat("check " + (t.path() / run).string() + " --model cas-register --out " + (t.path() / "out").string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("Eclat DISAGREES"), std::string::npos) << r.output;
  // A broken results.edn does not stop the check; it says so.
  t.write(run / "results.edn", "{:valid? ");
  r = eclat("check " + (t.path() / run).string() + " --model cas-register --out " + (t.path() / "out").string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("its verdict cannot be read"), std::string::npos) << r.output;
}

TEST(JepsenStore, AValidStoreHistoryIsValid) {
  Tmp t("jepsen");
  std::string h = kInvalidStoreHistory;
  h.replace(h.rfind(":value 2}"), 9, ":value 3}");
  t.write("store/t/1/history.edn", h);
  t.write("store/t/1/results.edn", "{:valid? true}");
  Result r = eclat("check " + (t.path() / "store/t/1").string() + " --model cas-register");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("Eclat agrees"), std::string::npos) << r.output;
}

TEST(CheckInitial, ARegisterThatStartsAtZero) {
  Tmp t("jepsen");
  // Read 0 before any write: linearizable only if the register starts at 0.
  auto f = t.write("h.edn",
                   "{:type :invoke, :process 0, :f :read, :value nil}\n"
                   "{:type :ok, :process 0, :f :read, :value 0}\n"
                   "{:type :invoke, :process 1, :f :cas, :value [0 5]}\n"
                   "{:type :ok, :process 1, :f :cas, :value [0 5]}\n");
  const std::string out = " --out " + t.path().string();
  EXPECT_EQ(eclat("check " + f.string() + " --model cas-register" + out).code, 1);
  Result r = eclat("check " + f.string() + " --model cas-register --initial 0" + out);
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(eclat("check " + f.string() + " --model cas-register --initial 5" + out).code, 1);
  // A multi-register from {:x 0 :y 0}, in EDN or JSON.
  auto m = t.write("m.edn",
                   "{:type :invoke, :process 0, :f :txn, :value [[:r :x nil] [:r :y nil]]}\n"
                   "{:type :ok, :process 0, :f :txn, :value [[:r :x 0] [:r :y 0]]}\n");
  EXPECT_EQ(eclat("check " + m.string() + " --model multi-register" + out).code, 1);
  EXPECT_EQ(eclat("check " + m.string() + " --model multi-register --initial '{:x 0 :y 0}'" + out).code, 0);
  EXPECT_EQ(eclat("check " + m.string() + " --model multi-register --initial '{\"x\":0,\"y\":0}'" + out).code, 0);
  EXPECT_EQ(eclat("check " + m.string() + " --model multi-register --initial '{:x 0}'" + out).code, 1);
  // Bad input: not a value, a value the model cannot start from, no model.
  Result bad = eclat("check " + f.string() + " --model cas-register --initial '{:x'");
  EXPECT_EQ(bad.code, 3);
  EXPECT_NE(bad.output.find("--initial {:x: neither JSON nor EDN"), std::string::npos) << bad.output;
  bad = eclat("check " + m.string() + " --model multi-register --initial 0");
  EXPECT_EQ(bad.code, 3);
  EXPECT_NE(bad.output.find("takes a map"), std::string::npos) << bad.output;
  EXPECT_EQ(eclat("check " + f.string() + " --checker stats --initial 0").code, 3);
}

TEST(CheckNilReads, KnossosReadsNilAsUnknownOnlyWhenAsked) {
  Tmp t("jepsen");
  // As in Knossos's data: a read that "returned" nil while the register held 0.
  auto reg = t.write("r.edn",
                     "[{:process 1, :type :invoke, :f :write, :value 0}\n"
                     " {:process 1, :type :ok, :f :write, :value 0}\n"
                     " {:process 2, :type :invoke, :f :read, :value nil}\n"
                     " {:process 2, :type :ok, :f :read, :value nil}]\n");
  const std::string out = " --out " + t.path().string();
  for (const char* model : {"cas-register", "register"}) {
    EXPECT_EQ(eclat("check " + reg.string() + " --model " + model + out).code, 1) << model;
    Result r = eclat("check " + reg.string() + " --model " + model + " --nil-reads-unknown" + out);
    EXPECT_EQ(r.code, 0) << model << "\n" << r.output;
  }
  // multi-register: y read as nil says nothing; x read 1 from {x 1} fits.
  auto m = t.write("m.edn",
                   "[{:process 3, :type :invoke, :f :txn, :value [[:read :x nil] [:read :y nil]]}\n"
                   " {:process 3, :type :ok, :f :txn, :value [[:read :x 1] [:read :y nil]]}]\n");
  EXPECT_EQ(eclat("check " + m.string() + " --model multi-register --initial '{:x 1 :y 2}'" + out).code, 1);
  EXPECT_EQ(eclat("check " + m.string() + " --model multi-register --initial '{:x 1 :y 2}' --nil-reads-unknown" + out).code, 0);
  EXPECT_EQ(eclat("check " + m.string() + " --model multi-register --initial '{:x 5 :y 2}' --nil-reads-unknown" + out).code, 1);
  EXPECT_EQ(eclat("check " + reg.string() + " --checker stats --nil-reads-unknown").code, 3);
}

TEST(CheckIndependent, EachKeyIsCheckedAlone) {
  Tmp t("jepsen");
  // Key 1 is fine; key 2 reads a value nobody wrote to it (3 was written to key 1).
  auto f = t.write("i.edn",
                   "{:type :invoke, :process 0, :f :write, :value [1 3]}\n"
                   "{:type :ok, :process 0, :f :write, :value [1 3]}\n"
                   "{:type :invoke, :process 1, :f :read, :value [1 nil]}\n"
                   "{:type :ok, :process 1, :f :read, :value [1 3]}\n"
                   "{:type :invoke, :process 1, :f :read, :value [2 nil]}\n"
                   "{:type :ok, :process 1, :f :read, :value [2 3]}\n");
  Result r = eclat("check " + f.string() + " --model cas-register --independent --out " + t.path().string());
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("2 parts"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("counterexample in key 2"), std::string::npos) << r.output;
  // Not a [key value] pair: bad input naming the line.
  auto g = t.write("j.edn", "{:type :invoke, :process 0, :f :write, :value 3}\n");
  Result bad = eclat("check " + g.string() + " --model cas-register --independent");
  EXPECT_EQ(bad.code, 3);
  EXPECT_NE(bad.output.find("j.edn:1: --independent"), std::string::npos) << bad.output;
}

TEST(ExportPorcupine, ReadsBackToTheSameVerdict) {
  Tmp t("jepsen");
  // Porcupine's own etcd logs, through Éclat's export and back.
  int compared = 0;
  for (const char* name : {"etcd_000.log", "etcd_002.log", "etcd_007.log", "etcd_017.log", "etcd_040.log"}) {
    const fs::path src = kData / "jepsen" / name;
    const fs::path dst = t.path() / name;
    Result x = eclat("export " + src.string() + " --format porcupine-log --out " + dst.string());
    ASSERT_EQ(x.code, 0) << x.output;
    int a = eclat("check " + src.string() + " --model cas-register --out " + t.path().string()).code;
    int b = eclat("check " + dst.string() + " --model cas-register --out " + t.path().string()).code;
    EXPECT_EQ(a, b) << name;
    EXPECT_TRUE(a == 0 || a == 1) << name;
    ++compared;
  }
  EXPECT_EQ(compared, 5);
  // A keyed Éclat history with a failed write (left out) and a lost compare.
  auto f = t.write("h.jsonl",
                   "{\"type\":\"invoke\",\"process\":0,\"f\":\"write\",\"key\":\"a\",\"value\":1}\n"
                   "{\"type\":\"ok\",\"process\":0,\"f\":\"write\",\"key\":\"a\",\"value\":1}\n"
                   "{\"type\":\"invoke\",\"process\":1,\"f\":\"write\",\"key\":\"b\",\"value\":7}\n"
                   "{\"type\":\"fail\",\"process\":1,\"f\":\"write\",\"key\":\"b\",\"value\":7}\n"
                   "{\"type\":\"invoke\",\"process\":1,\"f\":\"cas\",\"key\":\"a\",\"value\":[5,6]}\n"
                   "{\"type\":\"ok\",\"process\":1,\"f\":\"cas\",\"key\":\"a\",\"value\":false}\n"
                   "{\"type\":\"invoke\",\"process\":2,\"f\":\"read\",\"key\":\"b\",\"value\":null}\n"
                   "{\"type\":\"ok\",\"process\":2,\"f\":\"read\",\"key\":\"b\",\"value\":null}\n"
                   "{\"type\":\"invoke\",\"process\":0,\"f\":\"read\",\"key\":\"a\",\"value\":null}\n"
                   "{\"type\":\"info\",\"process\":0,\"f\":\"read\",\"key\":\"a\",\"value\":null}\n");
  Result x = eclat("export " + f.string() + " --format porcupine-log");
  ASSERT_EQ(x.code, 0) << x.output;
  EXPECT_NE(x.output.find("1 failed operations left out"), std::string::npos) << x.output;
  std::ifstream in(t.path() / "history.log");
  std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(log.find("INFO  jepsen.util - 1\t:fail\t:cas\t[\"a\" [5 6]]"), std::string::npos) << log;
  EXPECT_NE(log.find("INFO  jepsen.util - 0\t:fail\t:read\t:timed-out"), std::string::npos) << log;
  EXPECT_EQ(log.find("7"), std::string::npos) << log;  // the failed write is gone
  EXPECT_EQ(eclat("check " + f.string() + " --model cas-register").code, 0);
  Result back = eclat("check " + (t.path() / "history.log").string() + " --model cas-register --independent");
  EXPECT_EQ(back.code, 0) << back.output;
  EXPECT_NE(back.output.find("2 parts"), std::string::npos) << back.output;
}
