// eclat check --model, end to end with the real binary: verdicts map onto
// exit codes, a malformed history exits 3 naming its line, the
// counterexample is printed and drawn.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "checker_test_util.hpp"
#include "eclat_run_util.hpp"

using e2e::eclat;
using e2e::Result;

namespace {
const fs::path kData = fs::path(ECLAT_SHARED_DIR) / "data/histories/porcupine";

using checker_test::Tmp;
}  // namespace

TEST(CheckModel, VerdictsAreExitCodes) {
  Tmp t("check");
  EXPECT_EQ(eclat("check " + (kData / "jepsen/etcd_002.log").string() + " --model cas-register --out " +
                  t.path().string()).code, 0);
  Result bad = eclat("check " + (kData / "kv/c01-bad.txt").string() + " --model kv --out " + t.path().string());
  EXPECT_EQ(bad.code, 1) << bad.output;
  EXPECT_NE(bad.output.find("cannot place"), std::string::npos) << bad.output;
  EXPECT_TRUE(fs::exists(t.path() / "linearizable.svg"));
  // The format may be given; a wrong one is bad input.
  EXPECT_EQ(eclat("check " + (kData / "kv/c01-ok.txt").string() + " --model kv --format edn").code, 0);
  EXPECT_EQ(eclat("check " + (kData / "kv/c01-ok.txt").string() + " --model kv --format porcupine-log").code, 3);
  // A time limit too short to decide: unknown.
  EXPECT_EQ(eclat("check " + (kData / "jepsen/etcd_002.log").string() +
                  " --model cas-register --time-limit 0.000001").code, 2);
}

TEST(CheckModel, MalformedInputExits3NamingTheLine) {
  Tmp t("check");
  auto f = t.write("h.jsonl",
                   "{\"type\":\"invoke\",\"process\":0,\"f\":\"write\",\"value\":1}\n"
                   "{\"type\":\"ok\",\"process\":0,\"f\":\"write\",\"value\":1}\n"
                   "{\"type\":\"invoke\",\"process\":0,\"f\":\"frob\",\"value\":1}\n");
  Result r = eclat("check " + f.string() + " --model cas-register");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.output.find("h.jsonl:3"), std::string::npos) << r.output;
  auto g = t.write("h.log", "INFO  jepsen.util - 0 :invoke :read nil\nINFO  jepsen.util - 0 :ok :read [1\n");
  r = eclat("check " + g.string() + " --model cas-register");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.output.find("h.log:2"), std::string::npos) << r.output;
  EXPECT_EQ(eclat("check " + g.string() + " --model nosuch").code, 3);
}
