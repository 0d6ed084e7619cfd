// eclat suite DIR|FILE... [--junit FILE] [--results DIR]: runs scenario files
// one after another, each in its own `eclat test` process (its own lab), and
// compares each verdict with the scenario's "expected". Writes JUnit XML: a
// test case per scenario, the checkers' summaries as failure text, the run
// directory as an attachment. Exit 0 when every verdict matched, 1 otherwise.
// Writes <results>/suite/<timestamp>/suite.json as it goes (after every
// scenario, replaced whole): what eclat serve shows of the suite.
// Every file is validated before the first run starts (bad input: exit 3).
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "history/verdict.hpp"
#include "cli/commands.hpp"
#include "cli/run_directory.hpp"
#include "cli/why_failed.hpp"
#include "core/errors.hpp"
#include "core/flags.hpp"
#include "core/invocation.hpp"
#include "core/json_output.hpp"
#include "core/paths.hpp"
#include "core/test_config.hpp"

namespace eclat {
namespace {

namespace fs = std::filesystem;

const char* kUsage =
    "usage: eclat suite DIR|FILE... [--junit FILE] [--results DIR]\n"
    "\n"
    "Runs each scenario (a directory means its *.json files, in name order) with\n"
    "eclat test and compares its verdict with the scenario's \"expected\"\n"
    "(valid, invalid or unknown; required). --junit writes JUnit XML.\n"
    "Exit: 0 every verdict as expected, 1 otherwise, 3 bad input.\n";

struct Case {
  fs::path file;
  TestConfig cfg;
  std::string got = "unknown";
  std::string run_dir, summary, output;
  std::string why;  // the run's why-it-failed block, for the JUnit failure body
  int exit_code = -1;
  double seconds = 0;
  bool matched() const { return cfg.expected && got == *cfg.expected; }
};

std::string xml_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 forbids most control characters, even escaped.
        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') out += '?';
        else out += static_cast<char>(c);
    }
  }
  return out;
}

void run_case(Case& c, const std::string& results) {
  std::vector<std::string> argv = {(binary_dir() / "eclat").string(), "test", "--scenario", c.file.string()};
  if (!results.empty()) argv.insert(argv.end(), {"--results", results});
  std::string cmd = shell_quote(argv);
  cmd += " 2>&1";
  auto t0 = std::chrono::steady_clock::now();
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw HarnessError("cannot run " + cmd);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) {
    c.output.append(buf, n);
    fwrite(buf, 1, n, stdout);  // the run's own progress, live
  }
  int status = pclose(p);
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  c.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  // The run prints "results: <dir>" last.
  auto at = c.output.rfind("results: ");
  if (at != std::string::npos) {
    auto end = c.output.find('\n', at);
    c.run_dir = c.output.substr(at + 9, end == std::string::npos ? std::string::npos : end - at - 9);
  }
  nlohmann::json results_json;
  if (!c.run_dir.empty()) {
    std::ifstream in(fs::path(c.run_dir) / "results.json");
    if (in) {
      try {
        results_json = nlohmann::json::parse(in);
      } catch (...) {
      }
    }
  }
  if (results_json.is_object() && results_json.contains("valid")) {
    Verdict v = verdict_from_json(results_json["valid"]);
    c.got = v == Verdict::valid ? "valid" : v == Verdict::invalid ? "invalid" : "unknown";
    const nlohmann::json checkers = results_json.value("checkers", nlohmann::json::object());
    for (const auto& [name, ch] : checkers.items())
      c.summary += name + ": " + ch.value("summary", "") + "\n";
    if (results_json.contains("error")) c.summary += "error: " + results_json["error"].get<std::string>() + "\n";
    if (results_json.contains("why")) c.why = why_failed_text(results_json["why"]);
  } else {
    c.summary = "no results.json (exit code " + std::to_string(c.exit_code) + ")\n" + c.output;
  }
}

void write_junit(const fs::path& path, const std::vector<Case>& cases, double total_s) {
  int failures = 0;
  for (const auto& c : cases) failures += c.matched() ? 0 : 1;
  std::ofstream out(path);
  if (!out) throw HarnessError("cannot write " + path.string());
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"eclat\" tests=\"" << cases.size() << "\" failures=\"" << failures
      << "\" errors=\"0\" time=\"" << total_s << "\">\n";
  out << "  <testsuite name=\"eclat.suite\" tests=\"" << cases.size() << "\" failures=\"" << failures
      << "\" errors=\"0\" skipped=\"0\" time=\"" << total_s << "\">\n";
  for (const auto& c : cases) {
    out << "    <testcase classname=\"eclat." << xml_escape(c.cfg.system + "." + c.cfg.workload)
        << "\" name=\"" << xml_escape(c.file.stem().string()) << "\" file=\"" << xml_escape(c.file.string())
        << "\" time=\"" << c.seconds << "\">\n";
    if (!c.matched()) {
      out << "      <failure message=\"expected " << xml_escape(c.cfg.expected.value_or("?")) << ", got "
          << xml_escape(c.got) << "\" type=\"verdict\">" << xml_escape(c.summary + c.why) << "</failure>\n";
    }
    out << "      <system-out>" << xml_escape(c.summary);
    if (!c.run_dir.empty()) out << "[[ATTACHMENT|" << xml_escape(c.run_dir) << "]]";
    out << "</system-out>\n";
    out << "    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
}

nlohmann::json case_json(const Case& c) {
  nlohmann::json faults = c.cfg.nemesis;
  for (const auto& t : c.cfg.triggers)
    if (t.is_object() && t.contains("fault") && t["fault"].is_string()) faults.push_back(t["fault"]);
  nlohmann::json j = {{"scenario", c.file.stem().string()},
                      {"file", fs::absolute(c.file).lexically_normal().string()},
                      {"system", c.cfg.system},
                      {"workload", c.cfg.workload},
                      {"faults", faults},
                      {"expected", c.cfg.expected.value_or("")},
                      {"got", c.got},
                      {"as_expected", c.matched()},
                      {"seconds", c.seconds},
                      {"exit_code", c.exit_code},
                      {"summary", c.summary}};
  if (!c.run_dir.empty()) j["run_dir"] = fs::absolute(c.run_dir).lexically_normal().string();
  return j;
}

// suite.json: the suite so far; `finished` once the last scenario ran.
void write_suite_json(const fs::path& dir, const std::vector<Case>& cases, size_t done, double total_s,
                      const std::string& started_utc, bool finished) {
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < done; ++i) list.push_back(case_json(cases[i]));
  nlohmann::json pending = nlohmann::json::array();
  for (size_t i = done; i < cases.size(); ++i) pending.push_back(cases[i].file.stem().string());
  write_json_file(dir / "suite.json", {{"started_utc", started_utc},
                                       {"command", command_line()},
                                       {"finished", finished},
                                       {"total_s", total_s},
                                       {"cases", list},
                                       {"pending", pending}});
}

}  // namespace

int suite_command(const std::vector<std::string>& args) {
  std::vector<fs::path> files;
  std::string junit, results;
  refuse_repeated_flags(args);
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--help" || a == "-h") {
      printf("%s", kUsage);
      return kExitValid;
    } else if (a == "--junit" || a == "--results") {
      if (i + 1 >= args.size()) throw BadInput(a + " needs a value");
      (a == "--junit" ? junit : results) = args[++i];
    } else if (a.rfind("--", 0) == 0) {
      throw unknown_flag(a, kUsage, "suite");
    } else if (fs::is_directory(a)) {
      std::vector<fs::path> in_dir;
      for (const auto& e : fs::directory_iterator(a))
        if (e.path().extension() == ".json") in_dir.push_back(e.path());
      std::sort(in_dir.begin(), in_dir.end());
      if (in_dir.empty()) throw BadInput(a + ": no *.json scenario in this directory");
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else if (fs::is_regular_file(a)) {
      files.emplace_back(a);
    } else {
      throw BadInput(a + ": no such scenario file or directory");
    }
  }
  if (files.empty()) throw BadInput("suite needs scenario files or a directory (see eclat suite --help)");
  // Where the suite writes is checked before its first run, not after its last.
  if (!results.empty()) check_writable_dir(results, "--results");
  if (!junit.empty()) {
    if (fs::is_directory(junit)) throw BadInput("--junit " + junit + ": a directory, not a file");
    check_writable_dir(fs::absolute(junit).parent_path().string(), "--junit");
  }

  std::vector<Case> cases;
  for (const auto& f : files) {
    Case c;
    c.file = f;
    c.cfg = parse_test_args({"--scenario", f.string()});
    if (!c.cfg.expected) throw BadInput(f.string() + ": a suite scenario needs \"expected\"");
    cases.push_back(std::move(c));
  }
  auto t0 = std::chrono::steady_clock::now();
  const fs::path suite_dir = create_run_directory(results.empty() ? cases.front().cfg.results : results, "suite");
  const std::string started_utc = run_identity().value("started_utc", "");
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  write_suite_json(suite_dir, cases, 0, 0, started_utc, false);
  int mismatches = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    Case& c = cases[i];
    printf("=== %s (expected %s)\n", c.file.string().c_str(), c.cfg.expected->c_str());
    fflush(stdout);
    run_case(c, results);
    if (!c.matched()) ++mismatches;
    printf("=== %s: %s, expected %s: %s\n", c.file.string().c_str(), c.got.c_str(),
           c.cfg.expected->c_str(), c.matched() ? "as expected" : "MISMATCH");
    fflush(stdout);
    write_suite_json(suite_dir, cases, i + 1, elapsed(), started_utc, false);
  }
  const double total = elapsed();
  write_suite_json(suite_dir, cases, cases.size(), total, started_utc, true);
  if (!junit.empty()) write_junit(junit, cases, total);
  printf("suite: %zu scenarios, %d as expected, %d not%s%s\nsuite results: %s\n", cases.size(),
         static_cast<int>(cases.size()) - mismatches, mismatches, junit.empty() ? "" : "; JUnit: ",
         junit.c_str(), (suite_dir / "suite.json").string().c_str());
  return mismatches == 0 ? kExitValid : kExitInvalid;
}

}  // namespace eclat
