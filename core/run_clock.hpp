// The one time base of a run: seconds since the run started. The history's
// "time", eclat.log, faults.jsonl's "run_s", the plots and the markers the
// harness writes into node logs all count from this epoch, and
// results.json's run.identity.epoch_utc says when it was, so that any
// run-relative second has a UTC wall time. Outside a run (eclat check, unit
// tests) the epoch is the process's start.
#pragma once
#include <chrono>
#include <string>

namespace eclat::run_clock {

// Sets the epoch to now. Called once, when the run directory is made.
void start();
std::chrono::steady_clock::time_point epoch();
double seconds();                          // since the epoch, now
std::string utc(double run_seconds);       // "2026-12-07T15:18:49.123Z"

}  // namespace eclat::run_clock
