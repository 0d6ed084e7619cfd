// A fault package: everything the nemesis needs to know about one fault
// besides how to do it (that is the Fault, nemesis/fault.hpp): when to start
// and stop it (a generator of "start-X" / "stop-X" operations), the op that
// undoes it at the end ("heal-X"), and its colour in the plots (perf,
// timeline shading). The nemesis executor maps the operations onto the
// Fault: start-X -> start(ctx, value or a fresh plan), stop-X -> stop,
// heal-X -> heal.
#pragma once
#include <string>
#include <vector>

#include "generator/combinators.hpp"

namespace eclat::gen {

struct FaultPackage {
  std::string fault;   // a registered fault name
  GenPtr schedule;     // its start-X / stop-X operations
  Op final_op;         // heal-X
  std::string colour;  // "#rrggbb"
};

// "start-kill" -> {"start", "kill"}; {"", ""} when f is not a nemesis op.
std::pair<std::string, std::string> split_nemesis_f(const std::string& f);
Op nemesis_op(const std::string& action, const std::string& fault, nlohmann::json value = nullptr);

// The interval schedule of one fault, forever: `interval` seconds after the
// previous operation completed, start; `duration` seconds later, stop
// (flip_flop(after(interval, start), after(duration, stop))).
FaultPackage interval_package(const std::string& fault, double interval, double duration);

// Several packages: a turn is one start and its stop, the faults taken in a
// shuffled cycle (every fault once per cycle), as --nemesis A,B does.
GenPtr interval_nemesis(std::vector<FaultPackage>& packages);

// The plot colour of a fault, from its registration, so a kind keeps its
// colour from run to run and plot to plot; "" for a fault without one (the
// plots give it the next free palette colour). By convention partitions are
// greens, packet faults blues and oranges, clocks reds; none is the plain
// blue, red or orange of the outcomes (ok, fail, info).
std::string fault_colour(const std::string& fault);
// Every registered fault with a colour (the timeline page takes them all).
std::vector<std::pair<std::string, std::string>> fault_colours();

}  // namespace eclat::gen
