#include "generator/fault_package.hpp"

#include "core/catalog.hpp"

namespace eclat::gen {

// Each fault carries its colour in its registration (PartInfo::colour).
std::vector<std::pair<std::string, std::string>> fault_colours() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const PartInfo* f : catalog().all(PartKind::nemesis))
    if (!f->colour.empty()) out.emplace_back(f->name, f->colour);
  return out;
}

std::string fault_colour(const std::string& fault) {
  const PartInfo* f = catalog().find(PartKind::nemesis, fault);
  return f ? f->colour : "";
}

std::pair<std::string, std::string> split_nemesis_f(const std::string& f) {
  for (const char* a : {"start", "stop", "heal"}) {
    const std::string prefix = std::string(a) + "-";
    if (f.size() > prefix.size() && f.compare(0, prefix.size(), prefix) == 0) return {a, f.substr(prefix.size())};
  }
  return {"", ""};
}

Op nemesis_op(const std::string& action, const std::string& fault, nlohmann::json value) {
  Op op;
  op.process = kNemesisProcess;
  op.f = action + "-" + fault;
  op.value = std::move(value);
  return op;
}

FaultPackage interval_package(const std::string& fault, double interval, double duration) {
  FaultPackage p;
  p.fault = fault;
  p.schedule = flip_flop(after(interval, repeat(-1, once(nemesis_op("start", fault)))),
                         after(duration, repeat(-1, once(nemesis_op("stop", fault)))));
  p.final_op = nemesis_op("heal", fault);
  p.colour = fault_colour(fault);
  return p;
}

GenPtr interval_nemesis(std::vector<FaultPackage>& packages) {
  std::vector<GenPtr> schedules;
  for (auto& p : packages) schedules.push_back(p.schedule->clone());
  return shuffled_turns(std::move(schedules), 2);
}

}  // namespace eclat::gen
