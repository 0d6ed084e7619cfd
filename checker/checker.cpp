#include "checker/checker.hpp"

#include "core/registry.hpp"

namespace eclat {
namespace {
Registry<CheckerFactory>& registry() {
  static Registry<CheckerFactory> r("checker");
  return r;
}
}  // namespace

bool register_checker(const std::string& name, CheckerFactory factory) {
  return registry().add(name, std::move(factory));
}
std::unique_ptr<Checker> make_checker(const std::string& name) { return registry().get(name)(); }
std::vector<std::string> checker_names() { return registry().names(); }

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
