// eclat suite over tests/scenarios: one scenario expected valid, one positive
// control expected invalid; the suite passes and its JUnit XML reads back
// (libxml2) with a test case per scenario and no failure.
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace {
struct Result {
  int code = -1;
  std::string output;
};
Result run(const std::string& cmd) {
  Result r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}
std::string attr(xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  std::string s = v ? reinterpret_cast<char*>(v) : "";
  xmlFree(v);
  return s;
}
}  // namespace

TEST(EclatSuite, ScenariosMeetTheirExpectationsAndJUnitReadsBack) {
  auto dir = fs::temp_directory_path() / ("eclat-suite-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto junit = dir / "junit.xml";
  Result r = run(std::string(ECLAT_BINARY) + " suite " + ECLAT_SCENARIOS + " --junit " + junit.string() +
                 " --results " + (dir / "results").string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("2 scenarios, 2 as expected, 0 not"), std::string::npos) << r.output;

  // suite.json (what eclat serve shows of a suite): every case, its verdict
  // against its expectation, and the run it made, which exists.
  const auto suite_json = dir / "results" / "suite" / "latest" / "suite.json";
  ASSERT_TRUE(fs::exists(suite_json)) << r.output;
  EXPECT_NE(r.output.find("suite results: "), std::string::npos) << r.output;
  const nlohmann::json suite = nlohmann::json::parse(std::ifstream(suite_json));
  EXPECT_EQ(suite["finished"], true);
  EXPECT_TRUE(suite["pending"].empty());
  ASSERT_EQ(suite["cases"].size(), 2u);
  for (const auto& c : suite["cases"]) {
    EXPECT_EQ(c["as_expected"], true) << c.dump();
    EXPECT_EQ(c["got"], c["expected"]) << c.dump();
    ASSERT_TRUE(c.contains("run_dir")) << c.dump();
    EXPECT_TRUE(fs::exists(fs::path(c["run_dir"].get<std::string>()) / "results.json")) << c.dump();
  }
  EXPECT_EQ(suite["cases"][0]["scenario"], "ack-before-durable");

  xmlDoc* doc = xmlReadFile(junit.c_str(), nullptr, XML_PARSE_NONET);
  ASSERT_NE(doc, nullptr) << "the JUnit XML does not parse";
  xmlNode* root = xmlDocGetRootElement(doc);
  ASSERT_STREQ(reinterpret_cast<const char*>(root->name), "testsuites");
  EXPECT_EQ(attr(root, "tests"), "2");
  EXPECT_EQ(attr(root, "failures"), "0");
  std::map<std::string, std::string> out_of;  // case name -> system-out
  int failures = 0;
  for (xmlNode* s = root->children; s; s = s->next) {
    if (s->type != XML_ELEMENT_NODE) continue;
    EXPECT_STREQ(reinterpret_cast<const char*>(s->name), "testsuite");
    for (xmlNode* c = s->children; c; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      ASSERT_STREQ(reinterpret_cast<const char*>(c->name), "testcase");
      for (xmlNode* k = c->children; k; k = k->next) {
        if (k->type != XML_ELEMENT_NODE) continue;
        std::string kname = reinterpret_cast<const char*>(k->name);
        if (kname == "failure") ++failures;
        if (kname == "system-out") {
          xmlChar* text = xmlNodeGetContent(k);
          out_of[attr(c, "name")] = reinterpret_cast<char*>(text);
          xmlFree(text);
        }
      }
    }
  }
  xmlFreeDoc(doc);
  EXPECT_EQ(failures, 0);
  ASSERT_EQ(out_of.size(), 2u);
  EXPECT_NE(out_of["ack-before-durable"].find("lost-writes:"), std::string::npos);
  EXPECT_NE(out_of["ack-before-durable"].find("[[ATTACHMENT|"), std::string::npos);
  EXPECT_NE(out_of["set-kill-partition"].find(" 0 lost"), std::string::npos) << out_of["set-kill-partition"];

  // A wrong expectation is a failing suite with a failure element.
  auto wrong = dir / "wrong.json";
  std::ofstream(wrong) << R"({"name":"wrong","nemesis":"none","time-limit":3,"expected":"invalid"})";
  // And a positive control expected valid: its failure body carries the
  // run's why-it-failed block (the counterexample, the reproduce command).
  auto control = dir / "wrong-control.json";
  std::ofstream(control) << R"({"name":"wrong-control","workload":"register","nemesis":"none","time-limit":4,)"
                            R"("bug":["get-by-id-shard0"],"expected":"valid"})";
  Result w = run(std::string(ECLAT_BINARY) + " suite " + wrong.string() + " " + control.string() + " --junit " +
                 junit.string() + " --results " + (dir / "results").string());
  EXPECT_EQ(w.code, 1) << w.output;
  std::ifstream in(junit);
  std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(xml.find("<failure message=\"expected invalid, got valid\""), std::string::npos) << xml;
  const size_t at = xml.find("<failure message=\"expected valid, got invalid\"");
  ASSERT_NE(at, std::string::npos) << xml;
  const std::string body = xml.substr(at, xml.find("</failure>", at) - at);
  EXPECT_NE(body.find("why it is invalid:"), std::string::npos) << body;
  EXPECT_NE(body.find("counterexample in "), std::string::npos) << body;
  EXPECT_NE(body.find("reproduce: eclat replay "), std::string::npos) << body;

  // A scenario without "expected" is bad input, before anything runs.
  std::ofstream(wrong) << R"({"name":"noexp","time-limit":3})";
  EXPECT_EQ(run(std::string(ECLAT_BINARY) + " suite " + wrong.string()).code, 3);
  fs::remove_all(dir);
}
