// Every log of a run merged on the run's time base (core/run_clock.hpp):
// eclat.log, the fault log (faults.jsonl's run_s) and each process's own
// logs (<kind>/<name>/*.log, e.g. nodes/n1/stderr.log). Read by `eclat log`
// and by eclat serve's run page.
//
// A process's log counts from its own (re)start: a line beginning with a
// number of seconds (the log format of Éclat's own binaries) is placed at
// the run time of the harness's latest "starting" marker in that log
// (cluster/process.hpp) plus that number; any other line takes the time of
// the line before it. Lines of a log without markers (a run made before
// markers existed) are shown at their own count, flagged approximate.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace eclat {

struct LogLine {
  double t = 0;  // run seconds
  bool approximate = false;
  std::string source, text;  // source: "eclat", "fault" or a process name
};

struct MergedLog {
  std::vector<LogLine> lines;          // by time, stable
  std::vector<std::string> processes;  // every process with a log
};

// `node` empty: everything; else that process's logs and the faults.
// BadInput for a `node` the run has no log of.
MergedLog merged_log(const std::filesystem::path& run_dir, const std::string& node = "");

}  // namespace eclat
