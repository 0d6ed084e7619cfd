// eclat list: what this build has registered, with the docs each part gave
// in its registration (core/catalog.hpp): the systems (with their bug
// switches and events), workloads, faults, checkers, and every setting with
// its type, default, range and readers.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "core/catalog.hpp"
#include "core/errors.hpp"

namespace eclat {
namespace {

const char* kListUsage =
    "usage: eclat list systems|workloads|nemeses|checkers|bugs|settings\n"
    "\n"
    "Prints what this build has registered, with each part's doc:\n"
    "  systems    systems under test (their settings, bug switches, trigger events)\n"
    "  workloads  workloads and the settings they read\n"
    "  nemeses    faults for --nemesis and triggers, with their settings\n"
    "  checkers   checkers for --checker\n"
    "  bugs       every system's bug switches (--bug NAME), positive controls\n"
    "  settings   every --set KEY: type, default, range, who reads it, doc\n";

std::string setting_line(const SettingSpec& s) {
  return std::string(s.key) + "=" + s.range_text() + " (default " + s.default_text() + "): " + s.doc;
}

void print_parts(PartKind kind) {
  for (const PartInfo* p : catalog().all(kind)) {
    printf("%s\n    %s\n", p->name.c_str(), p->doc.c_str());
    if (!p->colour.empty()) printf("    colour %s%s\n", p->colour.c_str(), p->moves_clocks ? ", moves clocks" : "");
    for (const SettingSpec* s : p->settings) printf("    --set %s\n", setting_line(*s).c_str());
    for (const auto& [b, doc] : p->bugs) printf("    --bug %s: %s\n", b.c_str(), doc.c_str());
    for (const auto& [k, names] : p->events) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : " ") + n;
      printf("    event %s:NAME, NAME one of %s\n", k.c_str(), list.c_str());
    }
    if (!p->process_names.empty()) {
      std::string list;
      for (const auto& n : p->process_names) list += (list.empty() ? "" : " ") + n;
      printf("    processes %s\n", list.c_str());
    }
  }
}

}  // namespace

int list_command(const std::vector<std::string>& args) {
  if (args.size() != 1)
    throw BadInput((args.empty() ? std::string("list needs what to list")
                                 : "list takes one word, got also \"" + args[1] + "\"") +
                   "\n" + kListUsage);
  const std::string& what = args[0];
  if (what == "--help" || what == "-h") printf("%s", kListUsage);
  else if (what == "systems") print_parts(PartKind::system);
  else if (what == "workloads") print_parts(PartKind::workload);
  else if (what == "nemeses" || what == "nemesis" || what == "faults") print_parts(PartKind::nemesis);
  else if (what == "checkers") print_parts(PartKind::checker);
  else if (what == "bugs") {
    for (const PartInfo* s : catalog().all(PartKind::system))
      for (const auto& [b, doc] : s->bugs) printf("%s %s: %s\n", s->name.c_str(), b.c_str(), doc.c_str());
  } else if (what == "settings") {
    for (const auto& [key, use] : catalog().settings()) {
      std::string readers;
      for (const auto& [kind, name] : use.owners)
        readers += (readers.empty() ? "" : ", ") +
                   (kind == PartKind::framework ? std::string("every run") : std::string(part_kind_name(kind)) + " " + name);
      printf("%s\n    read by %s\n", setting_line(*use.spec).c_str(), readers.c_str());
    }
  } else {
    throw BadInput("list: unknown \"" + what + "\" (systems, workloads, nemeses, checkers, bugs or settings)");
  }
  return kExitValid;
}

}  // namespace eclat
