// What set-full needs from a history, and nothing more: every element (an
// integer, or anything else by its canonical JSON text) interned to a dense
// id, each add's outcome, and each successful read as a span of element ids.
// Built from operations in memory, or streamed straight from a JSON Lines
// file without making an Op with a JSON value per operation: a
// 10M-operation history with reads of millions of elements is read in
// seconds and a few bytes per element.
//
// Pairing is Jepsen's: a completion belongs to the open invocation of its
// process; an add never completed is indeterminate (info).
#pragma once
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "history/history.hpp"

namespace eclat {

struct SetValue;

inline constexpr int64_t kSetNever = std::numeric_limits<int64_t>::max();

class ElementTable {
 public:
  uint32_t of_integer(int64_t v);
  uint32_t of_text(const std::string& canonical_json);
  nlohmann::json value(uint32_t id) const;
  size_t size() const { return integers_.size(); }

 private:
  // Non-negative integers (what workloads add: dense from 0) index a vector
  // that grows with the number of elements (at most 8 slots per element, or
  // kDenseFloor); the others, and ids far beyond, go to the map.
  static constexpr size_t kDenseFloor = size_t{1} << 20;
  std::vector<uint32_t> dense_;  // value -> id + 1 (0: none)
  std::unordered_map<int64_t, uint32_t> sparse_;
  std::unordered_map<std::string, uint32_t> by_text_;
  std::vector<int64_t> integers_;   // per id: the integer (when text_of_ is -1)
  std::vector<int32_t> text_of_;    // per id: index into texts_, or -1
  std::vector<std::string> texts_;
};

struct SetHistory {
  enum Outcome : uint8_t { pending, ok, fail, info };
  struct Add {
    bool attempted = false;
    Outcome outcome = pending;
    int64_t ack_time = kSetNever;  // completion time of an ok add
  };
  struct Read {
    int64_t invoke_time, complete_time, index;
    size_t begin, end;  // span of items
  };

  ElementTable elements;
  std::vector<Add> adds;          // by element id
  std::vector<Read> reads;        // successful reads, in completion order
  std::vector<uint32_t> items;    // element ids of every read, read after read
  int64_t attempts = 0;           // add invocations
  bool truncated_tail = false;    // the file's last line was cut short and skipped
};

// Feeds operations in history order.
class SetHistoryBuilder {
 public:
  void add(const Op& op);                          // an operation with its JSON value
  void add(const Op& meta, const SetValue& value); // the fast reader's form (meta.value unused)
  SetHistory finish();                             // open adds become info

 private:
  struct Open {
    bool is_add;
    uint32_t element;
    int64_t time;
  };
  void invoke(const Op& op, bool is_add, uint32_t element);
  Open* complete(const Op& op);
  uint32_t element_of(const nlohmann::json& v);
  SetHistory::Add& add_of(uint32_t id);

  SetHistory h_;
  std::unordered_map<int64_t, Open> open_;
};

// lines: the source line of each operation (HistorySource::lines()), to name
// a malformed one as name:line; empty: by its index.
SetHistory set_history_of(const History& history, const std::vector<size_t>& lines = {},
                          const std::string& name = "history");
// Same rules as read_history: BadInput naming the line for a malformed one,
// except an unterminated last line (skipped, truncated_tail).
SetHistory read_set_history(const std::filesystem::path& path);

}  // namespace eclat
