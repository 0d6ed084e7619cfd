#include "nemesis/fault_log.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>

#include "core/errors.hpp"
#include "core/json_input.hpp"
#include "core/run_clock.hpp"
#include "generator/fault_package.hpp"

namespace eclat {

nlohmann::json FaultRecord::to_json() const {
  nlohmann::json j = {{"t", std::round(t * 1e6) / 1e6}, {"f", f}, {"value", value}, {"source", source}};
  if (!error.empty()) j["error"] = error;
  if (!note.empty()) j["note"] = note;
  return j;
}

FaultLog::FaultLog(const std::filesystem::path& path, std::chrono::steady_clock::time_point epoch)
    : epoch_(epoch), out_(fopen(path.c_str(), "a")) {
  if (!out_) throw HarnessError("cannot write " + path.string() + ": " + strerror(errno));
}

double FaultLog::now() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_).count();
}

void FaultLog::write(const FaultRecord& r) {
  nlohmann::json j = r.to_json();
  // The same moment on the run's time base, and as wall time: what the
  // history, the plots and the node logs' markers count in.
  const double run_s = r.t + std::chrono::duration<double>(epoch_ - run_clock::epoch()).count();
  j["run_s"] = std::round(run_s * 1e6) / 1e6;
  j["utc"] = run_clock::utc(run_s);
  const std::string line = j.dump() + "\n";
  std::lock_guard lock(mu_);
  fwrite(line.data(), 1, line.size(), out_);
  fflush(out_);
}

std::vector<FaultRecord> read_fault_log(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw BadInput(path.string() + ": cannot read the file (a run directory has one since faults were recorded)");
  std::vector<FaultRecord> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    const std::string where = path.string() + ":" + std::to_string(n);
    nlohmann::json j;
    try {
      j = parse_bounded_json(line);
    } catch (const std::exception& e) {
      throw BadInput(where + ": not valid JSON: " + e.what());
    }
    if (!j.is_object()) throw BadInput(where + ": expected an object");
    if (!j.contains("t") || !j["t"].is_number() || j["t"].get<double>() < 0 || !std::isfinite(j["t"].get<double>()))
      throw BadInput(where + ": \"t\" must be a number of seconds >= 0");
    if (!j.contains("f") || !j["f"].is_string() || gen::split_nemesis_f(j["f"]).first.empty())
      throw BadInput(where + ": \"f\" must be start-FAULT, stop-FAULT or heal-FAULT");
    if (j.contains("source") && !j["source"].is_string()) throw BadInput(where + ": \"source\" must be a string");
    if (j.contains("error") && !j["error"].is_string()) throw BadInput(where + ": \"error\" must be a string");
    if (j.contains("note") && !j["note"].is_string()) throw BadInput(where + ": \"note\" must be a string");
    FaultRecord r;
    r.t = j["t"];
    r.f = j["f"];
    r.value = j.value("value", nlohmann::json());
    r.source = j.value("source", "nemesis");
    r.error = j.value("error", "");
    r.note = j.value("note", "");
    r.line = static_cast<size_t>(n);
    if (r.source != "nemesis" && r.source.rfind("trigger ", 0) != 0)
      throw BadInput(where + ": \"source\" must be \"nemesis\" or \"trigger N\", not \"" + r.source + "\"");
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace eclat
