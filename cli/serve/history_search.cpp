#include "cli/serve/history_search.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "core/errors.hpp"
#include "core/json_input.hpp"
#include "history/fast_parse.hpp"
#include "history/mapped_file.hpp"

namespace eclat::serve {

namespace fs = std::filesystem;

namespace {

constexpr uint32_t kNoKey = std::numeric_limits<uint32_t>::max();

// Strings a column holds many times over (f, key) become small ids: a query
// compares integers, and an f or key no operation has is known at once.
class Interner {
 public:
  uint32_t intern(const std::string& s) {
    auto [it, inserted] = ids_.try_emplace(s, static_cast<uint32_t>(ids_.size()));
    return it->second;
  }
  std::optional<uint32_t> find(const std::string& s) const {
    auto it = ids_.find(s);
    if (it == ids_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::unordered_map<std::string, uint32_t> ids_;
};

// A query's window in seconds, as inclusive nanosecond bounds. A bound typed
// to the nanosecond ("4.000000001") comes out of the double a hair either
// side of the integer: it is taken as that integer, so an operation at the
// bound matches whichever way the rounding went.
int64_t to_ns(double seconds, bool lower) {
  const double ns = seconds * 1e9;
  if (ns >= 9.2e18) return std::numeric_limits<int64_t>::max();
  if (ns <= -9.2e18) return std::numeric_limits<int64_t>::min();
  const double nearest = std::round(ns);
  if (std::fabs(ns - nearest) < 1e-3) return static_cast<int64_t>(nearest);
  return static_cast<int64_t>(lower ? std::ceil(ns) : std::floor(ns));
}

// "3" or "nemesis"; anything else names no process (a process is never negative).
std::optional<int64_t> parse_process(const std::string& s) {
  if (s == "nemesis") return kNemesisProcess;
  int64_t p = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), p);
  if (ec != std::errc() || end != s.data() + s.size() || p < 0) return std::nullopt;
  return p;
}

// The value's text as nlohmann's dump() writes it (what a query searches),
// from the fast parser's DOM-less form: an integer, an array of integers
// and canonical texts, or the canonical text of anything else.
void append_value_text(const SetValue& v, std::string& out) {
  switch (v.kind) {
    case SetValue::null: out += "null"; return;
    case SetValue::integer: out += std::to_string(v.integer_value); return;
    case SetValue::other: out += v.text; return;
    case SetValue::array:
      out += '[';
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (i > 0) out += ',';
        const SetValue::Item& item = v.items[i];
        if (item.text >= 0) {
          out += v.texts[static_cast<size_t>(item.text)];
        } else {
          out += std::to_string(item.integer);
        }
      }
      out += ']';
      return;
  }
}

}  // namespace

// The columns, one entry per indexed operation, in file order. Built once,
// never modified after: concurrent queries share it without a lock.
struct HistoryIndex::Impl {
  // The file indexed, kept open: a page reads its lines from the same file
  // the offsets were taken from, even after the path was replaced.
  int fd = -1;
  uintmax_t indexed_bytes = 0;
  bool truncated_tail = false;
  size_t unreadable = 0;

  std::vector<uint64_t> offset;       // of the line in the file
  std::vector<uint32_t> length;       // of the line, without '\n'
  std::vector<uint64_t> line_number;  // 1-based, blank and unreadable lines counted
  std::vector<int64_t> time;
  std::vector<int64_t> process;
  std::vector<OpType> type;
  std::vector<uint32_t> f;
  std::vector<uint32_t> key;  // kNoKey when the operation has none
  // The values' JSON texts back to back: value i is
  // values[value_begin[i], value_begin[i + 1]).
  std::vector<uint64_t> value_begin{0};
  std::string values;
  Interner f_ids, key_ids;

  ~Impl() {
    if (fd >= 0) ::close(fd);
  }

  // The operation's value text is already appended to `values`.
  void add(const Op& op, uint64_t line_offset, size_t line_length, uint64_t line_no) {
    offset.push_back(line_offset);
    length.push_back(static_cast<uint32_t>(line_length));
    line_number.push_back(line_no);
    time.push_back(op.time);
    process.push_back(op.process);
    type.push_back(op.type);
    f.push_back(f_ids.intern(op.f));
    key.push_back(op.key ? key_ids.intern(*op.key) : kNoKey);
    value_begin.push_back(values.size());
  }

  std::string_view value(size_t i) const {
    return std::string_view(values).substr(value_begin[i], value_begin[i + 1] - value_begin[i]);
  }

  // The line of operation i, read back from the file; nullopt when the file
  // no longer holds it (shrunk in place: never done to a history).
  std::optional<std::string> line(size_t i) const {
    std::string out(length[i], '\0');
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset[i] + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return std::nullopt;
      done += static_cast<size_t>(n);
    }
    return out;
  }
};

HistoryIndex::HistoryIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HistoryIndex::~HistoryIndex() = default;

size_t HistoryIndex::operations() const { return impl_->offset.size(); }
uintmax_t HistoryIndex::indexed_bytes() const { return impl_->indexed_bytes; }

std::shared_ptr<const HistoryIndex> HistoryIndex::build(const fs::path& file) {
  auto impl = std::make_unique<Impl>();
  impl->fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (impl->fd < 0) throw BadInput("cannot read history " + file.string() + ": " + strerror(errno));
  // Mapped through the descriptor just opened, not the path: the bytes
  // indexed and the bytes a page reads are one file even if a run directory
  // is replaced meanwhile.
  std::unique_ptr<MappedFile> mapped;
  try {
    mapped = std::make_unique<MappedFile>("/proc/self/fd/" + std::to_string(impl->fd));
  } catch (const BadInput&) {
    throw BadInput("cannot read history " + file.string() + ": not a regular file that can be mapped");
  }
  const std::string_view text = mapped->view();

  // A live run appends whole lines; whatever follows the last '\n' is one
  // still being written (or cut by a kill) and is left for the next build.
  const size_t last_newline = text.rfind('\n');
  const size_t end = last_newline == std::string_view::npos ? 0 : last_newline + 1;
  impl->indexed_bytes = end;
  impl->truncated_tail = end < text.size() && text.substr(end).find_first_not_of(" \t\r") != std::string_view::npos;

  const size_t lines = static_cast<size_t>(std::count(text.begin(), text.begin() + end, '\n'));
  for (auto* column : {&impl->offset, &impl->line_number, &impl->value_begin}) column->reserve(lines + 1);
  impl->length.reserve(lines);
  impl->time.reserve(lines);
  impl->process.reserve(lines);
  impl->type.reserve(lines);
  impl->f.reserve(lines);
  impl->key.reserve(lines);

  FastOpParser fast;
  Op op;
  SetValue value;
  uint64_t line_no = 0;
  for (size_t pos = 0; pos < end;) {
    const size_t nl = text.find('\n', pos);  // never npos before `end`
    const std::string_view line = text.substr(pos, nl - pos);
    const uint64_t line_offset = pos;
    pos = nl + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    if (line.size() > std::numeric_limits<uint32_t>::max()) {
      ++impl->unreadable;
      continue;
    }
    // Parsed in place in the mapping (the bytes after the line are readable
    // padding), the value straight to text: a third faster than parse()
    // with a DOM per value (bench/serve_history_bench).
    if (fast.parse_set(line, text.size() - (line_offset + line.size()), op, value)) {
      append_value_text(value, impl->values);
    } else {
      // The slow path takes the shapes the fast one leaves to it; a line
      // neither takes is counted and skipped: a browser shows a damaged
      // history rather than none.
      try {
        op = Op::from_json(parse_bounded_json(line));
      } catch (const std::exception&) {
        ++impl->unreadable;
        continue;
      }
      impl->values += op.value.dump();
    }
    impl->add(op, line_offset, line.size(), line_no);
  }
  impl->values.shrink_to_fit();
  return std::make_shared<const HistoryIndex>(std::move(impl));
}

HistoryPage HistoryIndex::query(const HistoryQuery& q) const {
  const Impl& x = *impl_;
  HistoryPage page;
  page.operations = operations();
  page.truncated_tail = x.truncated_tail;
  page.unreadable_lines = x.unreadable;

  // Resolve the query against the index first: an f, key or process no
  // operation has matches nothing, without a scan.
  std::optional<uint32_t> f, key, empty_key;
  if (q.f && !(f = x.f_ids.find(*q.f))) return page;
  if (q.key) {
    if (q.key->empty()) {
      key = kNoKey;  // "" is the operations without a key (and any with an empty one)
      empty_key = x.key_ids.find("");
    } else if (!(key = x.key_ids.find(*q.key))) {
      return page;
    }
  }
  std::optional<int64_t> process;
  if (q.process && !(process = parse_process(*q.process))) return page;
  int64_t from = std::numeric_limits<int64_t>::min(), to = std::numeric_limits<int64_t>::max();
  if (q.from_s) {
    if (std::isnan(*q.from_s)) return page;
    from = to_ns(*q.from_s, true);
  }
  if (q.to_s) {
    if (std::isnan(*q.to_s)) return page;
    to = to_ns(*q.to_s, false);
  }
  const bool by_time = q.from_s || q.to_s;
  const std::string_view needle = q.value ? std::string_view(*q.value) : std::string_view();

  std::vector<size_t> hits;
  const size_t n = operations();
  for (size_t i = 0; i < n; ++i) {
    if (f && x.f[i] != *f) continue;
    if (key && x.key[i] != *key && !(empty_key && x.key[i] == *empty_key)) continue;
    if (process && x.process[i] != *process) continue;
    if (q.type && x.type[i] != *q.type) continue;
    if (by_time && (x.time[i] < from || x.time[i] > to)) continue;
    if (q.value && x.value(i).find(needle) == std::string_view::npos) continue;
    if (page.matched >= q.offset && page.matched - q.offset < q.limit) hits.push_back(i);
    ++page.matched;
  }

  page.lines.reserve(hits.size());
  page.line_numbers.reserve(hits.size());
  for (size_t i : hits) {
    std::optional<std::string> line = x.line(i);
    if (!line) continue;
    page.lines.push_back(std::move(*line));
    page.line_numbers.push_back(static_cast<size_t>(x.line_number[i]));
  }
  return page;
}

std::shared_ptr<const HistoryIndex> HistoryIndexCache::get(const fs::path& file) {
  // Stat before building: a file that grows during the build is stored
  // with its older size, so the next get builds again rather than serving
  // an index that misses the lines appended.
  std::error_code ec;
  const fs::path path = fs::absolute(file, ec).lexically_normal();
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) throw BadInput("cannot read history " + file.string() + ": " + ec.message());
  const fs::file_time_type mtime = fs::last_write_time(path, ec);
  if (ec) throw BadInput("cannot read history " + file.string() + ": " + ec.message());

  {
    std::lock_guard lock(mu_);
    auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.file == path; });
    if (it != entries_.end()) {
      if (it->size == size && it->mtime == mtime) {
        std::rotate(it, it + 1, entries_.end());  // most recently used last
        return entries_.back().index;
      }
      entries_.erase(it);
    }
  }
  // Built outside the lock: a second history's queries need not wait a
  // second for this one. Two requests for the same new file may both build;
  // the later one replaces the earlier's entry.
  std::shared_ptr<const HistoryIndex> index = HistoryIndex::build(path);
  std::lock_guard lock(mu_);
  std::erase_if(entries_, [&](const Entry& e) { return e.file == path; });
  entries_.push_back(Entry{path, size, mtime, index});
  while (entries_.size() > capacity_) entries_.erase(entries_.begin());
  return index;
}

}  // namespace eclat::serve
