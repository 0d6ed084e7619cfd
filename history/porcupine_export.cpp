#include "history/porcupine_export.hpp"

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "history/edn_export.hpp"

namespace eclat {

PorcupineExport write_porcupine_log(const History& history, std::ostream& out) {
  PorcupineExport result;
  // Which invocations fail (left out), and each completion's invocation.
  std::vector<bool> skip(history.size(), false);
  std::vector<size_t> invocation(history.size(), SIZE_MAX);
  std::unordered_map<int64_t, size_t> open;
  for (size_t i = 0; i < history.size(); ++i) {
    const Op& op = history[i];
    if (op.is_nemesis()) continue;
    if (op.type == OpType::invoke) {
      open[op.process] = i;
      continue;
    }
    auto it = open.find(op.process);
    if (it == open.end()) continue;
    invocation[i] = it->second;
    if (op.type == OpType::fail) {
      skip[i] = skip[it->second] = true;
      ++result.left_out;
    }
    open.erase(it);
  }
  for (size_t i = 0; i < history.size(); ++i) {
    if (skip[i]) continue;
    const Op& op = history[i];
    std::string type = to_string(op.type);
    nlohmann::json value = op.value;
    if (op.type == OpType::ok && op.f == "cas" && value == false && invocation[i] != SIZE_MAX) {
      type = "fail";  // a lost compare, in the format's words
      value = history[invocation[i]].value;
    } else if (op.type == OpType::info && value.is_null()) {
      if (op.f == "read") type = "fail";
      value = "timed-out";
    }
    std::string v = to_edn(value);
    if (op.type == OpType::info && value == "timed-out") {
      v = ":timed-out";  // bare even when keyed: --independent gives it its invocation's key
    } else if (op.key && !op.is_nemesis()) {
      v = "[" + to_edn(nlohmann::json(*op.key)) + " " + v + "]";
      result.keyed = true;
    }
    out << "INFO  jepsen.util - " << (op.is_nemesis() ? std::string(":nemesis") : std::to_string(op.process))
        << "\t:" << type << "\t:" << op.f << "\t" << v << "\n";
    ++result.written;
  }
  return result;
}

}  // namespace eclat
