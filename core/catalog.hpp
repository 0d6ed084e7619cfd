// What is registered: every system, workload, fault and checker describes
// itself once, in its own file, with a record (name, doc, settings, and what
// its kind needs: a fault's plot colour and whether it moves clocks, a
// system's bug switches, event vocabulary and process names). The catalog
// holds the records so that the rest of the house asks instead of keeping
// tables: --set validates keys against it, --help and `eclat list` print it,
// the plots take a fault's colour from it, cleanup takes the systems'
// process names. The factories stay in each kind's own Registry
// (core/registry.hpp), which adds the record here.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/settings.hpp"

namespace eclat {

enum class PartKind { framework, system, workload, nemesis, checker };
const char* part_kind_name(PartKind k);  // "system", "workload", "nemesis", "checker", "framework"

struct PartInfo {
  std::string name;
  std::string doc;                            // one line for `eclat list`
  std::vector<const SettingSpec*> settings;   // every setting it reads, its own and shared ones
  // nemesis only
  std::string colour;         // "#rrggbb" in the plots; "" takes the next free palette colour
  bool moves_clocks = false;  // the run's node processes then run under libfaketime
  // checker only: it draws pictures and judges nothing (perf, timeline),
  // so `eclat check` runs it only when told where to draw (--out)
  bool draws = false;
  // system only
  std::map<std::string, std::string> bugs;    // bug switch -> what it breaks (positive controls)
  // Events a run can trigger faults on, "kind:name" ("phase:cutover"): kind -> names.
  std::map<std::string, std::vector<std::string>> events;
  std::vector<std::string> process_names;     // executables its nodes run (eclat cleanup)
};

// One setting key and who reads it.
struct SettingUse {
  const SettingSpec* spec = nullptr;
  std::vector<std::pair<PartKind, std::string>> owners;
};

class Catalog {
 public:
  // Throws std::logic_error for a second record of the same kind and name,
  // or a key declared twice with different specs: both are programming
  // errors a build must not ship (the static initialiser aborts the binary).
  void add(PartKind kind, PartInfo info);
  // Settings of the run as a whole (timeouts, the nemesis schedule), owned
  // by "framework:<owner>".
  void add_framework_settings(const std::string& owner, std::vector<const SettingSpec*> specs);

  const PartInfo* find(PartKind kind, const std::string& name) const;
  std::vector<const PartInfo*> all(PartKind kind) const;  // by name
  const SettingUse* setting(const std::string& key) const;
  const std::map<std::string, SettingUse>& settings() const { return settings_; }

 private:
  void add_settings(PartKind kind, const std::string& owner, const std::vector<const SettingSpec*>& specs);
  std::map<std::pair<PartKind, std::string>, PartInfo> parts_;
  std::map<std::string, SettingUse> settings_;
};

Catalog& catalog();

// For static registration: `const bool registered = framework_settings("run", {&kOpTimeout});`
bool framework_settings(const std::string& owner, std::vector<const SettingSpec*> specs);

}  // namespace eclat
