// The history: every invocation and completion of a run, in Jepsen's
// semantics (ok = took effect, fail = certainly did not, info = unknown).
// On disk as JSON Lines, one operation per line:
//   {"index":12,"type":"ok","process":3,"f":"add","value":5,"time":1234567890}
// `time` is nanoseconds since the run started; nemesis operations have
// "process":"nemesis".
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace eclat {

enum class OpType { invoke, ok, fail, info };
const char* to_string(OpType t);
OpType op_type_from_string(const std::string& s);  // throws std::invalid_argument

inline constexpr int64_t kNemesisProcess = -1;

struct Op {
  int64_t index = -1;
  OpType type = OpType::invoke;
  int64_t process = 0;           // kNemesisProcess for the nemesis
  std::string f;                 // "add", "read", "start-kill", ...
  std::optional<std::string> key;
  nlohmann::json value;          // null when absent
  int64_t time = 0;              // ns since the run started
  std::string error;             // empty when none

  bool is_nemesis() const { return process == kNemesisProcess; }
  nlohmann::json to_json() const;
  static Op from_json(const nlohmann::json& j);  // throws std::invalid_argument
};

using History = std::vector<Op>;

// Appends operations to history.jsonl as they happen: one write(2) per line
// with O_APPEND, so a run killed at any moment leaves every completed line on
// disk. Assigns index and time. Thread-safe.
class HistoryWriter {
 public:
  explicit HistoryWriter(const std::filesystem::path& path);
  ~HistoryWriter();
  HistoryWriter(const HistoryWriter&) = delete;
  HistoryWriter& operator=(const HistoryWriter&) = delete;

  // Stamps index and time and writes the line.
  Op record(Op op);
  // Called with every recorded operation, under the writer's lock, after it
  // is on disk (live progress). Keep it cheap; set it before recording starts.
  void set_observer(std::function<void(const Op&)> observer) { observer_ = std::move(observer); }
  int64_t now_ns() const;  // ns since the writer was opened (the run start)
  int64_t count() const;

 private:
  int fd_ = -1;
  std::chrono::steady_clock::time_point start_;
  mutable std::mutex mu_;
  int64_t next_index_ = 0;
  std::function<void(const Op&)> observer_;
};

struct ReadResult {
  History history;
  bool truncated_tail = false;  // the last line was cut short (a killed run) and skipped
  std::vector<size_t> lines;    // the source line of each operation (for messages)
};

// Reads a JSON Lines history. A malformed line throws BadInput naming the
// file and line; only an unterminated last line is forgiven (truncated_tail).
ReadResult read_history(const std::filesystem::path& path);
// The same, from the file's content; `name` is used in messages.
ReadResult parse_history(const std::string& content, const std::string& name);

}  // namespace eclat
