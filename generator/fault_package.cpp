#include "generator/fault_package.hpp"

namespace eclat::gen {

const std::vector<std::pair<std::string, std::string>>& fault_colours() {
  static const std::vector<std::pair<std::string, std::string>> table = {
      {"kill", "#9467bd"},      {"partition", "#2ca02c"},          {"pause", "#8c564b"},
      {"stop", "#7f7f7f"},      {"fail-writes", "#e377c2"},        {"add-node", "#17becf"},
      {"remove-node", "#bcbd22"}, {"kill-coordinator", "#5b3a8c"}, {"drain-stall", "#a0522d"},
      {"partition-new-node", "#1b7a3c"},
      // Partitions in greens, packet faults in blues and oranges, clocks in reds.
      {"partition-halves", "#74c476"}, {"partition-random-halves", "#41ab5d"}, {"partition-one", "#238b45"},
      {"partition-majorities-ring", "#006d2c"}, {"partition-bridge", "#a1d99b"},
      {"partition-one-way", "#c7e9c0"}, {"clog-swizzle", "#00441b"}, {"partition-primary", "#31a354"},
      {"kill-primary", "#6a51a3"}, {"reject", "#fd8d3c"}, {"delay", "#1f77b4"}, {"reorder", "#6baed6"},
      {"loss", "#ff7f0e"}, {"duplicate", "#fdae6b"}, {"clock-bump", "#d62728"}, {"clock-skew", "#ef3b2c"},
      {"clock-strobe", "#a50f15"},
  };
  return table;
}

std::string fault_colour(const std::string& fault) {
  for (const auto& [f, c] : fault_colours())
    if (f == fault) return c;
  return "";
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
