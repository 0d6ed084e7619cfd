// A verdict needs evidence, with the real binary: a history with nothing in
// it is unknown, never valid; a history whose operations do not pair up is
// bad input naming its line; a re-check of a run directory knows what the
// run knew (interrupted, killed); a set history with huge or sparse element
// ids is checked in little memory.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "checker_test_util.hpp"
#include "eclat_run_util.hpp"

using e2e::eclat;
using e2e::Result;

namespace {

using checker_test::Tmp;

std::string op(const std::string& type, int process, const std::string& f, const std::string& value, int time) {
  return "{\"type\":\"" + type + "\",\"process\":" + std::to_string(process) + ",\"f\":\"" + f +
         "\",\"value\":" + value + ",\"time\":" + std::to_string(time) + "}\n";
}

// Two acknowledged adds and a read that saw both: valid when judged alone.
const std::string kGoodSet = op("invoke", 0, "add", "1", 1) + op("ok", 0, "add", "1", 2) +
                             op("invoke", 1, "add", "2", 3) + op("ok", 1, "add", "2", 4) +
                             op("invoke", 0, "read", "null", 5) + op("ok", 0, "read", "[1,2]", 6);

// The peak resident memory of `eclat args`, in MB.
double peak_mb(const std::vector<std::string>& args, int* code) {
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv{const_cast<char*>(ECLAT_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    freopen("/dev/null", "w", stdout);
    execv(ECLAT_BINARY, argv.data());
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  *code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

}  // namespace

TEST(Evidence, AnEmptyHistoryIsUnknownNeverValid) {
  Tmp t("evidence");
  const auto empty = t.write("empty.jsonl", "");
  Result lin = eclat("check " + empty.string() + " --model cas-register --out " + t.path().string());
  EXPECT_EQ(lin.code, 2) << lin.output;
  EXPECT_NE(lin.output.find("no operation to check"), std::string::npos) << lin.output;
  EXPECT_EQ(eclat("check " + empty.string() + " --model cas-register --format edn").code, 2);
  Result set = eclat("check " + empty.string() + " --checker lost-writes --checker stats");
  EXPECT_EQ(set.code, 2) << set.output;
  EXPECT_NE(set.output.find("no client operation"), std::string::npos) << set.output;
}

TEST(Evidence, AHistoryOfOnlyFaultsOrFailuresIsUnknown) {
  Tmp t("evidence");
  // The nemesis acted, no client did: nothing was observed.
  const auto faults = t.write("faults.jsonl", "{\"type\":\"info\",\"process\":\"nemesis\",\"f\":\"start-kill\",\"time\":1}\n"
                                              "{\"type\":\"info\",\"process\":\"nemesis\",\"f\":\"start-kill\",\"time\":2}\n");
  EXPECT_EQ(eclat("check " + faults.string() + " --model cas-register").code, 2);
  EXPECT_EQ(eclat("check " + faults.string() + " --checker stats").code, 2);
  // Every write refused and every read empty: nothing could be lost.
  const auto refused = t.write("refused.jsonl", op("invoke", 0, "add", "1", 1) + op("fail", 0, "add", "1", 2) +
                                                    op("invoke", 0, "read", "null", 3) + op("ok", 0, "read", "[]", 4));
  Result r = eclat("check " + refused.string() + " --checker lost-writes");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("no add was acknowledged"), std::string::npos) << r.output;
  // Only failed writes to a register: none took effect.
  const auto failed = t.write("failed.jsonl", op("invoke", 0, "write", "1", 1) + op("fail", 0, "write", "1", 2));
  EXPECT_EQ(eclat("check " + failed.string() + " --model cas-register").code, 2);
  // The positive control: the same shapes with evidence are judged.
  EXPECT_EQ(eclat("check " + t.write("good.jsonl", kGoodSet).string() + " --checker lost-writes").code, 0);
}

TEST(Evidence, UnpairedOperationsAreBadInputNamingTheLine) {
  Tmp t("evidence");
  struct Case {
    std::string name, text, must_name;
  } cases[] = {
      {"completion-first.jsonl", op("ok", 0, "add", "1", 1), "completion-first.jsonl:1"},
      {"second-completion.jsonl", op("invoke", 0, "add", "1", 1) + op("ok", 0, "add", "1", 2) + op("ok", 0, "add", "1", 3),
       "second-completion.jsonl:3"},
      {"invoke-twice.jsonl", op("invoke", 3, "add", "1", 1) + op("invoke", 3, "add", "2", 2), "invoke-twice.jsonl:2"},
      {"other-f.jsonl", op("invoke", 0, "add", "1", 1) + op("ok", 0, "read", "[1]", 2), "other-f.jsonl:2"},
      {"completion-first.edn", "{:type :invoke, :f :write, :value 1, :process 0}\n{:type :ok, :f :write, :value 1, :process 1}\n",
       "completion-first.edn:2"},
  };
  for (const auto& c : cases) {
    const auto f = t.write(c.name, c.text);
    // Every reader: the set checker's lean one, the generic one, the model's.
    for (const std::string how : {"", " --checker stats", " --model cas-register"}) {
      if (c.name.ends_with(".edn") && how.empty()) continue;
      Result r = eclat("check " + f.string() + how);
      EXPECT_EQ(r.code, 3) << c.name << how << ": " << r.output;
      EXPECT_NE(r.output.find(c.must_name), std::string::npos) << c.name << how << ": " << r.output;
    }
  }
  // An invocation never completed is fine (a killed run): indeterminate.
  const auto open = t.write("open.jsonl", kGoodSet + op("invoke", 2, "add", "3", 7));
  EXPECT_EQ(eclat("check " + open.string() + " --checker lost-writes").code, 0);
}

TEST(Evidence, ARecheckKnowsWhatTheRunKnew) {
  Tmp t("evidence");
  const std::string scenario = R"({"name":"r","system":"miroir","workload":"set","nemesis":["kill"],"seed":7,"checkers":["lost-writes"]})";
  auto run = [&](const std::string& name, const std::string* results) {
    t.write(name + "/scenario.json", scenario);
    t.write(name + "/history.jsonl", kGoodSet);
    if (results) t.write(name + "/results.json", *results);
    return t.path() / name;
  };
  const std::string clean = R"({"valid":true,"checkers":{},"run":{"interrupted":false,"quiescent":true,"healed":{"healed":true}}})";
  const std::string interrupted = R"({"valid":"unknown","checkers":{},"run":{"interrupted":true,"quiescent":true}})";
  const std::string unhealed = R"({"valid":"unknown","checkers":{},"run":{"interrupted":false,"healed":{"healed":false}}})";
  Result ok = eclat("check " + run("clean", &clean).string());
  EXPECT_EQ(ok.code, 0) << ok.output;
  Result i = eclat("check " + run("interrupted", &interrupted).string());
  EXPECT_EQ(i.code, 2) << i.output;
  EXPECT_NE(i.output.find("interrupted"), std::string::npos) << i.output;
  EXPECT_EQ(eclat("check " + (t.path() / "interrupted" / "history.jsonl").string()).code, 2);
  EXPECT_EQ(eclat("check " + run("unhealed", &unhealed).string()).code, 2);
  Result killed = eclat("check " + run("killed", nullptr).string());
  EXPECT_EQ(killed.code, 2) << killed.output;
  EXPECT_NE(killed.output.find("never finished"), std::string::npos) << killed.output;
  // The same history outside a run directory is judged on its own.
  EXPECT_EQ(eclat("check " + t.write("alone.jsonl", kGoodSet).string() + " --checker lost-writes").code, 0);
}

TEST(Evidence, ARunDirectoryWithAMalformedScenarioIsBadInputNamingIt) {
  Tmp t("evidence");
  t.write("run/history.jsonl", kGoodSet);
  for (const std::string bad : {R"({"workload":5})", R"({"checkers":"lost-writes,,"})", R"({"seed":-1})", "[1,2]", "{"}) {
    t.write("run/scenario.json", bad);
    Result r = eclat("check " + (t.path() / "run").string());
    EXPECT_EQ(r.code, 3) << bad << ": " << r.output;
    EXPECT_NE(r.output.find("scenario.json"), std::string::npos) << bad << ": " << r.output;
  }
}

TEST(Evidence, HugeOrSparseSetElementsAreCheckedInLittleMemory) {
  Tmp t("evidence");
  // 268435455 alone once cost a gigabyte (a vector indexed by the id); ids
  // spread over the whole 63-bit range and negative ones too.
  std::string huge = op("invoke", 0, "add", "268435455", 1) + op("ok", 0, "add", "268435455", 2);
  std::string sparse, seen = "[";
  for (int i = 0; i < 2000; ++i) {
    const std::string v = std::to_string((int64_t{1} << 62) / 2000 * i + (i % 2 ? -i : i));
    sparse += op("invoke", i % 8, "add", v, 10 + 2 * i) + op("ok", i % 8, "add", v, 11 + 2 * i);
    seen += (i ? "," : "") + v;
  }
  seen += "]";
  huge += op("invoke", 0, "read", "null", 3) + op("ok", 0, "read", "[268435455]", 4);
  sparse += op("invoke", 9, "read", "null", 5000) + op("ok", 9, "read", seen, 5001);
  for (const auto& [name, text] : {std::pair{"huge.jsonl", huge}, {"sparse.jsonl", sparse}}) {
    const auto f = t.write(name, text);
    for (const std::string checker : {"lost-writes", "stats"}) {
      int code = -1;
      const double mb = peak_mb({"check", f.string(), "--checker", checker}, &code);
      EXPECT_EQ(code, 0) << name << " " << checker;
      EXPECT_LT(mb, 100) << name << " " << checker << ": " << mb << " MB";
    }
  }
}
