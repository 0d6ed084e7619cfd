// eclat replay, end to end with the real binary: a recorded run played again
// gives every worker the same client operations and the same faults (same
// targets) at the same offsets; a bad RUN_DIR is bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "eclat_run_util.hpp"

namespace fs = std::filesystem;
using namespace e2e;

namespace {

std::vector<nlohmann::json> jsonl(const fs::path& p) {
  std::vector<nlohmann::json> out;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

// Per worker (process mod concurrency, Jepsen's rule), the (f, key, value)
// of every client invocation of the main phase (before the first heal).
std::map<int64_t, std::vector<std::string>> client_sequences(const fs::path& history, int concurrency) {
  std::map<int64_t, std::vector<std::string>> out;
  for (const auto& op : jsonl(history)) {
    if (op["f"].get<std::string>().rfind("heal-", 0) == 0) break;
    if (op["type"] != "invoke" || !op["process"].is_number_integer() || op["process"].get<int64_t>() < 0) continue;
    out[op["process"].get<int64_t>() % concurrency].push_back(op["f"].get<std::string>() + " " +
                                                                op.value("key", "") + " " + op.value("value", nlohmann::json()).dump());
  }
  return out;
}

// What a fault start chose: its targets, whatever the fault (nodes, grudge...).
nlohmann::json targets(const nlohmann::json& value) {
  nlohmann::json t = nlohmann::json::object();
  for (const char* k : {"nodes", "grudge", "node", "isolated"})
    if (value.contains(k)) t[k] = value[k];
  return t;
}

fs::path only_run(const fs::path& test_dir) {
  for (const auto& e : fs::directory_iterator(test_dir))
    if (e.is_directory() && !e.is_symlink()) return e.path();
  return {};
}

}  // namespace

TEST(EclatReplay, ReplayRepeatsTheClientOperationsAndTheFaultSchedule) {
  auto dir = fresh_results_dir("replay");
  const int concurrency = 10;
  Result r = eclat("test --time-limit 10 --nemesis kill,partition --seed 4242 --set nemesis-interval=2"
                   " --set nemesis-duration=1.5 --name orig --results " + dir.string());
  ASSERT_LE(r.code, 2) << r.output;
  const fs::path orig = only_run(dir / "orig");
  ASSERT_TRUE(fs::exists(orig / "faults.jsonl")) << r.output;

  Result rr = eclat("replay " + orig.string() + " --results " + dir.string());
  ASSERT_LE(rr.code, 2) << rr.output;
  const fs::path replay = only_run(dir / "orig-replay");
  ASSERT_FALSE(replay.empty()) << rr.output;
  EXPECT_EQ(read_json(replay / "replay.json")["replay_of"], fs::canonical(orig).string());
  EXPECT_EQ(read_json(replay / "scenario.json")["seed"], 4242);
  EXPECT_EQ(read_json(replay / "results.json")["run"]["replay_of"], fs::canonical(orig).string());
  // The original's verdict beside the replay's, and the two side by side.
  const auto original_valid = read_json(orig / "results.json")["valid"];
  EXPECT_EQ(read_json(replay / "results.json")["run"]["original_valid"], original_valid);
  EXPECT_NE(rr.output.find("original run's verdict: " + original_valid.dump()), std::string::npos) << rr.output;
  Result d = eclat("diff " + orig.string() + " " + replay.string());
  EXPECT_EQ(d.code, read_json(replay / "results.json")["valid"] == original_valid ? 0 : 1) << d.output;
  EXPECT_NE(d.output.find("B is a replay of A"), std::string::npos) << d.output;
  EXPECT_NE(d.output.find("fault starts"), std::string::npos) << d.output;

  // Jepsen's process rule: a worker that got an info goes on as process +
  // concurrency, and set elements are worker + concurrency * i, so an add's
  // value and its process agree modulo the concurrency.
  size_t adds = 0, moved = 0;
  for (const auto& op : jsonl(orig / "history.jsonl")) {
    if (op["type"] != "invoke" || op["f"] != "add") continue;
    ++adds;
    const int64_t p = op["process"].get<int64_t>();
    moved += p >= concurrency;
    ASSERT_EQ(op["value"].get<int64_t>() % concurrency, p % concurrency) << op;
  }
  EXPECT_GT(adds, 1000u);
  EXPECT_GT(moved, 0u) << "no worker ever went on under a new process (no info?)";

  // Client operations: per worker, the common prefix is the whole common
  // length (the counts differ a little: an op that times out takes longer).
  auto a = client_sequences(orig / "history.jsonl", concurrency);
  auto b = client_sequences(replay / "history.jsonl", concurrency);
  ASSERT_EQ(a.size(), static_cast<size_t>(concurrency));
  ASSERT_EQ(b.size(), static_cast<size_t>(concurrency));
  size_t common = 0, total = 0;
  for (int64_t w = 0; w < concurrency; ++w) {
    const size_t n = std::min(a[w].size(), b[w].size());
    size_t same = 0;
    while (same < n && a[w][same] == b[w][same]) ++same;
    EXPECT_EQ(same, n) << "worker " << w << " diverges at op " << same << ": " << a[w][same] << " vs " << b[w][same];
    EXPECT_GE(n, 50u) << "worker " << w;
    common += same;
    total += std::max(a[w].size(), b[w].size());
  }
  EXPECT_GE(common * 10, total * 6) << common << " common of " << total;
  std::cout << "client operations: " << common << " in common prefixes, of " << total << "\n";

  // Faults: the same starts and stops, same targets, in order, at the same
  // offsets within 50 ms (measured: well under 1 ms on an idle machine; the
  // bound leaves room for a loaded one).
  auto fa = jsonl(orig / "faults.jsonl"), fb = jsonl(replay / "faults.jsonl");
  auto main_phase = [](std::vector<nlohmann::json> v) {
    // The schedule: not the final heals, nor the stops made because the main
    // phase ended (when the last worker finished: timing, not schedule), nor
    // what falls in the last second of the 10 s main phase: a fault the
    // original started at 9.9 s may find the replay's main phase already over
    // (its end is the time limit as each run measures it).
    std::erase_if(v, [](const nlohmann::json& x) {
      return x["f"].get<std::string>().rfind("heal-", 0) == 0 || x.contains("note") ||
             (x.contains("t") && x["t"].is_number() && x["t"].get<double>() > 9.0);
    });
    return v;
  };
  fa = main_phase(fa);
  fb = main_phase(fb);
  ASSERT_GE(fa.size(), 4u) << "the run should have started and stopped kill and partition";
  ASSERT_EQ(fa.size(), fb.size());
  double worst = 0;
  for (size_t i = 0; i < fa.size(); ++i) {
    EXPECT_EQ(fa[i]["f"], fb[i]["f"]) << i;
    if (fa[i]["f"].get<std::string>().rfind("start-", 0) == 0)
      EXPECT_EQ(targets(fa[i]["value"]), targets(fb[i]["value"])) << i << ": " << fa[i] << " vs " << fb[i];
    worst = std::max(worst, std::abs(fa[i]["t"].get<double>() - fb[i]["t"].get<double>()));
    std::cout << fa[i]["f"].get<std::string>() << " at " << fa[i]["t"] << " replayed at " << fb[i]["t"] << "\n";
  }
  std::cout << "fault offsets: worst difference " << worst * 1000 << " ms over " << fa.size() << " operations\n";
  EXPECT_LT(worst, 0.05);

  // The same seed would draw the same random schedule anyway: to tell that
  // the replay plays the file, replay an edited copy (the first kill moved
  // 1.5 s later, onto another node; nothing else).
  const fs::path edited = dir / "edited";
  fs::copy(orig, edited, fs::copy_options::recursive);
  nlohmann::json kill;
  for (const auto& f : fa)
    if (f["f"] == "start-kill") {
      kill = f;
      break;
    }
  ASSERT_FALSE(kill.is_null());
  const std::string victim = kill["value"]["nodes"][0];
  const std::string other = victim == "n1" ? "n2" : "n1";
  kill["value"]["nodes"] = {other};
  kill["t"] = kill["t"].get<double>() + 1.5;
  {
    std::ofstream out(edited / "faults.jsonl");
    out << kill.dump() << "\n" << nlohmann::json{{"t", kill["t"].get<double>() + 1}, {"f", "stop-kill"}}.dump() << "\n";
  }
  Result re = eclat("replay " + edited.string() + " --results " + (dir / "edited-out").string());
  ASSERT_LE(re.code, 2) << re.output;
  auto fe = main_phase(jsonl(only_run(dir / "edited-out" / "orig-replay") / "faults.jsonl"));
  ASSERT_EQ(fe.size(), 2u) << re.output;
  EXPECT_EQ(fe[0]["f"], "start-kill");
  EXPECT_EQ(fe[0]["value"]["nodes"], nlohmann::json::array({other}));
  EXPECT_NEAR(fe[0]["t"].get<double>(), kill["t"].get<double>(), 0.05);
  EXPECT_EQ(fe[1]["f"], "stop-kill");
  EXPECT_NEAR(fe[1]["t"].get<double>(), kill["t"].get<double>() + 1, 0.05);
  fs::remove_all(dir);
}

TEST(EclatReplay, BadRunDirectoryExits3NamingTheProblemAndCreatesNothing) {
  auto dir = fresh_results_dir("replay-bad");
  auto run = dir / "fake-run";
  fs::create_directories(run);
  const std::string res = " --results " + (dir / "out").string();
  fs::create_directories(dir / "out");

  Result r = eclat("replay " + (dir / "missing").string() + res);
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("missing"), std::string::npos) << r.output;

  r = eclat("replay " + run.string() + res);  // no scenario.json
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("scenario.json"), std::string::npos) << r.output;

  std::ofstream(run / "scenario.json") << R"({"name":"fake","nemesis":["kill"],"seed":3,"time-limit":5})";
  r = eclat("replay " + run.string() + res);  // no faults.jsonl
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("faults.jsonl"), std::string::npos) << r.output;

  std::ofstream(run / "faults.jsonl") << R"({"t":1,"f":"start-kill","value":{"nodes":["n1"]},"source":"nemesis"})"
                                      << "\n{\"t\": \"soon\", \"f\": \"stop-kill\"}\n";
  r = eclat("replay " + run.string() + res);
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("faults.jsonl:2"), std::string::npos) << r.output;

  std::ofstream(run / "faults.jsonl") << R"({"t":1,"f":"start-flood","value":{}})" << "\n";
  r = eclat("replay " + run.string() + res);
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("flood"), std::string::npos) << r.output;

  std::ofstream(run / "faults.jsonl") << "not json\n";
  r = eclat("replay " + run.string() + res);
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("faults.jsonl:1"), std::string::npos) << r.output;

  r = eclat("replay");
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_TRUE(fs::is_empty(dir / "out")) << "bad input left something in the results directory";
  fs::remove_all(dir);
}
