// A checker reads a whole history and says valid / invalid / unknown, with
// details for results.json. Checkers register themselves by name, so a
// scenario can say "checkers": ["lost-writes", "stats"].
#pragma once
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "checker/history.hpp"
#include "checker/verdict.hpp"

namespace eclat {

struct CheckContext {
  const History& history;
  nlohmann::json scenario;        // the run's effective configuration (may be empty)
  std::filesystem::path out_dir;  // where a checker may write pictures
};

struct CheckResult {
  Verdict valid = Verdict::unknown;
  nlohmann::json details = nlohmann::json::object();
  std::string summary;  // one line for humans
};

class Checker {
 public:
  virtual ~Checker() = default;
  virtual CheckResult check(const CheckContext& ctx) const = 0;
};

using CheckerFactory = std::function<std::unique_ptr<Checker>()>;

// Registration by name, from the checker's own file:
//   static const bool registered = register_checker("stats", [] { return std::make_unique<Stats>(); });
bool register_checker(const std::string& name, CheckerFactory factory);
std::unique_ptr<Checker> make_checker(const std::string& name);  // throws BadInput for unknown names
std::vector<std::string> checker_names();

// Runs the named checkers and composes results.json:
// {"valid": ..., "checkers": {"<name>": {"valid": ..., "summary": ..., ...}}}
nlohmann::json run_checkers(const std::vector<std::string>& names, const CheckContext& ctx);

}  // namespace eclat
