#include "cli/merged_log.hpp"

#include <algorithm>
#include <fstream>
#include <optional>
#include <regex>

#include <nlohmann/json.hpp>

#include "cluster/process.hpp"
#include "core/errors.hpp"

namespace eclat {

namespace fs = std::filesystem;

namespace {

// A leading "   12.345 " (Éclat's log format), or nullopt.
std::optional<double> leading_seconds(const std::string& line) {
  static const std::regex kHead(R"(^\s*(\d+\.\d+)\s)");
  std::smatch m;
  if (!std::regex_search(line, m, kHead)) return std::nullopt;
  return std::stod(m[1].str());
}

// One process log: markers say where its own count starts on the run's.
void read_process_log(const fs::path& file, const std::string& source, std::vector<LogLine>& out) {
  std::ifstream in(file);
  static const std::regex kMarker(std::string("^") + kNodeLogMarker + R"( run (\d+\.\d+) s)");
  std::optional<double> base;
  double last = 0;
  bool last_approx = true;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    LogLine l{0, false, source, line};
    if (std::regex_search(line, m, kMarker)) {
      l.t = std::stod(m[1].str());
      if (line.find(": starting (start #") != std::string::npos) base = l.t;
    } else if (auto own = leading_seconds(line)) {
      l.t = (base ? *base : 0) + *own;
      l.approximate = !base;
    } else {
      l.t = last;
      l.approximate = last_approx;
    }
    last = l.t;
    last_approx = l.approximate;
    out.push_back(std::move(l));
  }
}

}  // namespace

MergedLog merged_log(const fs::path& dir, const std::string& node) {
  MergedLog out;
  std::vector<LogLine>& lines = out.lines;
  std::vector<std::string>& names = out.processes;
  // Process logs: <kind>/<name>/*.log.
  std::error_code ec;
  for (const auto& kind : fs::directory_iterator(dir, ec)) {
    if (!kind.is_directory()) continue;
    for (const auto& proc : fs::directory_iterator(kind.path(), ec)) {
      if (!proc.is_directory()) continue;
      const std::string name = proc.path().filename().string();
      bool has_log = false;
      for (const auto& f : fs::directory_iterator(proc.path(), ec)) {
        if (f.path().extension() != ".log") continue;
        has_log = true;
        if (node.empty() || node == name) read_process_log(f.path(), name, lines);
      }
      if (has_log) names.push_back(name);
    }
  }
  if (!node.empty() && std::find(names.begin(), names.end(), node) == names.end()) {
    std::string known;
    for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
    throw BadInput("--node " + node + ": no such process in " + dir.string() + " (" + (known.empty() ? "none" : known) + ")");
  }
  if (node.empty()) {
    std::ifstream in(dir / "eclat.log");
    double last = 0;
    for (std::string line; std::getline(in, line);) {
      std::string text = line;
      if (auto t = leading_seconds(line)) {  // its count is the run's: shown once
        last = *t;
        text = line.substr(line.find_first_not_of(' '));
        text = text.substr(std::min(text.size(), text.find(' ') + 1));
      }
      lines.push_back({last, false, "eclat", text});
    }
  }
  {
    std::ifstream in(dir / "faults.jsonl");
    for (std::string line; std::getline(in, line);) {
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_object() || !j.contains("run_s") || !j["run_s"].is_number()) continue;
      std::string text = j.value("f", "?") + " " + j.value("value", nlohmann::json()).dump();
      if (j.contains("error")) text += " error: " + j["error"].get<std::string>();
      lines.push_back({j["run_s"].get<double>(), false, "fault", text + "  [" + j.value("utc", "") + "]"});
    }
  }
  std::stable_sort(lines.begin(), lines.end(), [](const LogLine& a, const LogLine& b) { return a.t < b.t; });
  return out;
}

}  // namespace eclat
