#include "cli/summary.hpp"

#include <cstdio>

namespace eclat {

void print_summary(const nlohmann::json& results, const std::filesystem::path& where) {
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
  if (results.contains("error")) printf("  error: %s\n", results["error"].get<std::string>().c_str());
  printf("valid: %s\n", verdict.c_str());
  printf("results: %s\n", where.string().c_str());
  fflush(stdout);
}

}  // namespace eclat
