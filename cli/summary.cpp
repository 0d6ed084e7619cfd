#include "cli/summary.hpp"

#include <cstdio>

#include "cli/why_failed.hpp"

namespace eclat {

void print_summary(const nlohmann::json& results, const std::filesystem::path& where,
                   const std::filesystem::path& checked) {
  const auto& v = results.at("valid");
  std::string verdict = v.is_boolean() ? (v.get<bool>() ? "true" : "false") : "unknown";
  const nlohmann::json checkers = results.value("checkers", nlohmann::json::object());
  for (const auto& [name, c] : checkers.items()) {
    const auto& cv = c.at("valid");
    std::string mark = cv.is_boolean() ? (cv.get<bool>() ? "ok     " : "INVALID") : "unknown";
    printf("  %-12s %s  %s\n", name.c_str(), mark.c_str(), c.value("summary", "").c_str());
    if (c.contains("lost") && c.value("lost_count", 0) > 0) {
      std::string lost = c["lost"].dump();
      if (lost.size() > 300) lost = lost.substr(0, 300) + "...";
      printf("  %-12s lost elements: %s\n", "", lost.c_str());
    }
  }
  // Where to look next: the pictures the report checkers drew (one line each;
  // files after the first are named relative to its folder).
  for (const auto& [name, label] : {std::pair{"perf", "plots"}, {"timeline", "timeline"}, {"partitions", "partitions"}}) {
    if (!checkers.contains(name) || !checkers[name].contains("files")) continue;
    const auto& files = checkers[name]["files"];
    if (!files.is_array() || files.empty()) continue;
    std::string line = files[0].get<std::string>();
    if (files.size() > 3) {
      line += " ... " + std::filesystem::path(files.back().get<std::string>()).filename().string() + " (" +
              std::to_string(files.size()) + ")";
    } else {
      for (size_t i = 1; i < files.size(); ++i) line += " " + std::filesystem::path(files[i].get<std::string>()).filename().string();
    }
    printf("  %-12s %s\n", label, line.c_str());
  }
  if (results.contains("error")) printf("  error: %s\n", results["error"].get<std::string>().c_str());
  if (const auto j = results.find("jepsen"); j != results.end() && j->is_object()) {
    // A Jepsen store's own verdict (results.edn), beside Éclat's.
    if (j->contains("valid")) {
      const auto& jv = (*j)["valid"];
      std::string said = jv.is_boolean() ? (jv.get<bool>() ? "true" : "false") : "unknown";
      printf("  %-12s valid? %s in %s: %s\n", "jepsen", said.c_str(), j->value("file", "").c_str(),
             said == verdict ? "Eclat agrees" : "Eclat DISAGREES");
    } else if (j->contains("error")) {
      printf("  %-12s its verdict cannot be read: %s\n", "jepsen", (*j)["error"].get<std::string>().c_str());
    }
  }
  if (results.contains("why")) printf("%s", why_failed_text(results["why"]).c_str());
  if (const auto w = results.find("warnings"); w != results.end() && w->is_array())
    for (const auto& x : *w) printf("  warning: %s\n", x.get<std::string>().c_str());
  if (const auto n = results.find("faults_never_started"); n != results.end() && n->is_array() && !n->empty()) {
    std::string names;
    for (const auto& x : *n) names += (names.empty() ? "" : ", ") + x.get<std::string>();
    printf("  warning: requested but never started: %s\n", names.c_str());
  }
  printf("valid: %s\n", verdict.c_str());
  if (!checked.empty()) printf("checked: %s\n", checked.string().c_str());
  if (!where.empty()) printf("results: %s\n", where.string().c_str());
  fflush(stdout);
}

}  // namespace eclat
