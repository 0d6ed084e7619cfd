#include "checker/checker.hpp"

#include <map>

#include "core/errors.hpp"

namespace eclat {
namespace {
std::map<std::string, CheckerFactory>& registry() {
  static std::map<std::string, CheckerFactory> r;
  return r;
}
}  // namespace

bool register_checker(const std::string& name, CheckerFactory factory) {
  registry()[name] = std::move(factory);
  return true;
}

std::unique_ptr<Checker> make_checker(const std::string& name) {
  auto it = registry().find(name);
  if (it == registry().end()) {
    std::string known;
    for (const auto& n : checker_names()) known += (known.empty() ? "" : ", ") + n;
    throw BadInput("unknown checker \"" + name + "\" (known: " + known + ")");
  }
  return it->second();
}

std::vector<std::string> checker_names() {
  std::vector<std::string> names;
  for (const auto& [name, _] : registry()) names.push_back(name);
  return names;
}

nlohmann::json run_checkers(const std::vector<std::string>& names, const CheckContext& ctx) {
  nlohmann::json out;
  out["checkers"] = nlohmann::json::object();
  Verdict overall = Verdict::valid;
  for (const auto& name : names) {
    CheckResult r = make_checker(name)->check(ctx);
    nlohmann::json c = r.details;
    c["valid"] = verdict_json(r.valid);
    c["summary"] = r.summary;
    out["checkers"][name] = c;
    overall = worst(overall, r.valid);
  }
  out["valid"] = verdict_json(overall);
  return out;
}

}  // namespace eclat
