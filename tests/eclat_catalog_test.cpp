// Self-describing registrations (core/catalog.hpp): every part of this build
// describes itself once, and the house asks the catalog instead of keeping
// tables. Settings are refused when unknown, badly typed, out of range, or
// not read by any part of the run; a duplicate registration is refused.
#include <gtest/gtest.h>

#include <functional>
#include <stdexcept>

#include "core/catalog.hpp"
#include "core/errors.hpp"
#include "core/registry.hpp"
#include "core/test_config.hpp"
#include "generator/fault_package.hpp"

using namespace eclat;

namespace {
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const BadInput& e) {
    return e.what();
  }
  return "";
}

TestConfig run_of(const std::vector<std::string>& args) {
  TestConfig cfg = parse_test_args(args);
  if (cfg.checkers.empty()) cfg.checkers = {"stats"};
  return cfg;
}
}  // namespace

TEST(Catalog, ARegistryRefusesASecondRegistrationOfOneName) {
  Registry<std::function<int()>> r(PartKind::checker);
  r.add({.name = "catalog-test-only", .doc = "a test's"}, [] { return 1; });
  EXPECT_THROW(r.add({.name = "catalog-test-only"}, [] { return 2; }), std::logic_error);
  EXPECT_EQ(r.get("catalog-test-only")(), 1);  // the first stays
  EXPECT_NE(error_of([&] { r.get("nope"); }).find("unknown checker \"nope\""), std::string::npos);
}

TEST(Catalog, OneKeyDeclaredTwiceDifferentlyIsRefused) {
  static constexpr NumberSetting a{"catalog-test-key", 1, 0, 10, "one"};
  static constexpr NumberSetting b{"catalog-test-key", 2, 0, 10, "another"};
  Catalog c;
  c.add(PartKind::nemesis, {.name = "x", .settings = {&a}});
  c.add(PartKind::nemesis, {.name = "y", .settings = {&a}});  // the same spec: shared
  EXPECT_EQ(c.setting("catalog-test-key")->owners.size(), 2u);
  EXPECT_THROW(c.add(PartKind::nemesis, {.name = "z", .settings = {&b}}), std::logic_error);
  EXPECT_THROW(c.add(PartKind::nemesis, {.name = "x"}), std::logic_error);
}

TEST(Catalog, EveryPartOfThisBuildDescribesItself) {
  for (PartKind k : {PartKind::system, PartKind::workload, PartKind::nemesis, PartKind::checker}) {
    ASSERT_FALSE(catalog().all(k).empty()) << part_kind_name(k);
    for (const PartInfo* p : catalog().all(k)) {
      if (p->name == "catalog-test-only") continue;
      EXPECT_FALSE(p->doc.empty()) << part_kind_name(k) << " " << p->name << " has no doc";
      if (k == PartKind::nemesis) EXPECT_FALSE(p->colour.empty()) << p->name << " has no plot colour";
      if (k == PartKind::system) EXPECT_FALSE(p->process_names.empty()) << p->name << " names no process";
    }
  }
  for (const auto& [key, use] : catalog().settings()) {
    EXPECT_STRNE(use.spec->doc, "") << key;
    EXPECT_FALSE(use.owners.empty()) << key;
  }
  // The plots take each fault's colour from its registration.
  EXPECT_EQ(gen::fault_colour("kill"), catalog().find(PartKind::nemesis, "kill")->colour);
  EXPECT_EQ(gen::fault_colour("no-such-fault"), "");
}

TEST(Catalog, ClockFaultsSayTheyMoveClocks) {
  EXPECT_TRUE(run_of({"--nemesis", "clock-skew"}).moves_clocks());
  EXPECT_FALSE(run_of({"--nemesis", "kill,partition"}).moves_clocks());
  TestConfig c = run_of({"--nemesis", "none"});
  c.triggers = nlohmann::json::array({{{"on", "at:1"}, {"fault", "clock-strobe"}}});
  EXPECT_TRUE(c.moves_clocks());
}

TEST(Catalog, SettingsAreCheckedAgainstTheirSpecWhenGiven) {
  Settings s;
  EXPECT_NE(error_of([&] { s.put("no-such-setting", "1"); }).find("unknown setting \"no-such-setting\""),
            std::string::npos);
  EXPECT_NE(error_of([&] { s.put("delay-ms", "fast"); }).find("delay-ms=fast: not a number"), std::string::npos);
  EXPECT_NE(error_of([&] { s.put("delay-ms", "0"); }).find("must be between 0.1 and 60000"), std::string::npos);
  EXPECT_NE(error_of([&] { s.put("keys", "2.5"); }).find("keys=2.5: not an integer"), std::string::npos);
  EXPECT_NE(error_of([&] { s.put("anti-entropy", "maybe"); }).find("expected true or false"), std::string::npos);
  EXPECT_NE(error_of([&] { s.put("kill-targets", "most"); }).find("one,minority,majority,all,primary"),
            std::string::npos);
  s.put("delay-ms", "250");
  EXPECT_EQ(s.get_double("delay-ms", 100, 0.1, 60000), 250);
}

TEST(Catalog, ASettingNoPartOfTheRunReadsIsRefusedNamingItsReader) {
  // shards is miroir's; delay-ms the delay fault's; read-mode etcd's.
  EXPECT_NE(error_of([] { check_settings_used(run_of({"--system", "etcd", "--set", "shards=8"})); })
                .find("setting \"shards\" is not read by this run: system miroir reads it"),
            std::string::npos);
  EXPECT_NE(error_of([] { check_settings_used(run_of({"--nemesis", "kill", "--set", "delay-ms=50"})); })
                .find("nemesis delay reads it"),
            std::string::npos);
  EXPECT_EQ(error_of([] { check_settings_used(run_of({"--nemesis", "delay", "--set", "delay-ms=50"})); }), "");
  EXPECT_EQ(error_of([] { check_settings_used(run_of({"--system", "etcd", "--set", "read-mode=serializable"})); }),
            "");
  // The framework's settings go with every run; a trigger's fault is part of the run.
  EXPECT_EQ(error_of([] { check_settings_used(run_of({"--nemesis", "none", "--set", "op-timeout=2"})); }), "");
  TestConfig t = run_of({"--nemesis", "none", "--set", "clog-swizzle-step=2"});
  EXPECT_NE(error_of([&] { check_settings_used(t); }), "");
  t.triggers = nlohmann::json::array({{{"on", "at:1"}, {"fault", "clog-swizzle"}}});
  EXPECT_EQ(error_of([&] { check_settings_used(t); }), "");
}
