// The history of one run, searchable without loading it into a page: `eclat
// serve` answers "operations of key 25 between 4 s and 6 s" from a column
// index built once per history file (and again when the file grew: a live
// run), then scanned per query. The index keeps, per operation, where its
// line is in the file and the columns a query filters on; a page of results
// is the raw lines themselves, read back from the file.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "history/history.hpp"

namespace eclat::serve {

// Every field optional; an operation matches when it satisfies all given.
struct HistoryQuery {
  std::optional<std::string> key;      // exact (an Op's key; "" matches no key)
  std::optional<std::string> process;  // "3" or "nemesis"
  std::optional<std::string> f;        // exact: "write", "start-kill", ...
  std::optional<OpType> type;
  std::optional<std::string> value;    // substring of the value's JSON text
  std::optional<double> from_s, to_s;  // time window, run seconds, inclusive
  size_t offset = 0, limit = 100;      // the page of matches
};

struct HistoryPage {
  size_t operations = 0;  // in the whole history
  size_t matched = 0;     // by the query, all pages
  std::vector<std::string> lines;  // the page: raw JSON lines, file order
  std::vector<size_t> line_numbers;  // 1-based, one per line
  bool truncated_tail = false;  // the file ends in a partial line (live or killed run): not indexed
  size_t unreadable_lines = 0;  // malformed lines skipped (named nowhere else: a browser shows the count)
};

class HistoryIndex {
 public:
  // Reads and indexes the file; throws BadInput when it cannot be opened.
  static std::shared_ptr<const HistoryIndex> build(const std::filesystem::path& file);
  HistoryPage query(const HistoryQuery& q) const;
  size_t operations() const;
  uintmax_t indexed_bytes() const;  // the prefix of the file indexed (up to the last full line)

  struct Impl;
  explicit HistoryIndex(std::unique_ptr<Impl> impl);
  ~HistoryIndex();

 private:
  std::unique_ptr<Impl> impl_;
};

// The indexes of the few histories looked at last, rebuilt when a file's size
// or modification time changed. Thread-safe.
class HistoryIndexCache {
 public:
  explicit HistoryIndexCache(size_t capacity = 4) : capacity_(capacity) {}
  std::shared_ptr<const HistoryIndex> get(const std::filesystem::path& file);

 private:
  struct Entry {
    std::filesystem::path file;
    uintmax_t size = 0;
    std::filesystem::file_time_type mtime;
    std::shared_ptr<const HistoryIndex> index;
  };
  size_t capacity_;
  std::mutex mu_;
  std::vector<Entry> entries_;  // most recently used last
};

}  // namespace eclat::serve
