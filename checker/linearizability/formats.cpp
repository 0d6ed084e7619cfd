#include "checker/linearizability/formats.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "history/edn_reader.hpp"
#include "history/mapped_file.hpp"
#include "history/pairing.hpp"
#include "core/errors.hpp"

namespace eclat::lin {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

[[noreturn]] void bad(const std::string& name, size_t line, const std::string& what) {
  throw BadInput(name + ":" + std::to_string(line) + ": " + what);
}

// One Jepsen operation: a map (or a record, #jepsen.history.Op{...}) read
// entry by entry into an Éclat operation, with no document built for it:
// only the values become JSON. Fields other than these are read and left.
Op read_edn_op(EdnReader& r, const std::string& name, int64_t position) {
  const size_t line = r.line(), col = r.column();
  auto bad_op = [&](const std::string& what) -> void {
    throw BadInput(name + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + what);
  };
  if (r.read_tag() && r.at_end()) bad_op("a tag with no operation after it");  // a record's tag says nothing more
  if (r.peek() != '{') bad_op("an operation must be a map");
  r.open('{');
  Op op;
  op.index = position;
  // The known fields, by bit; other keys are remembered (as views of the
  // text) only to refuse a repeated one.
  enum : unsigned { kOther = 0, kType = 1, kF = 2, kProcess = 4, kKey = 8, kValue = 16, kError = 32, kTime = 64 };
  unsigned seen = 0;
  std::vector<std::string_view> other;
  while (!r.closes('}', "an operation")) {
    const size_t kl = r.line(), kc = r.column();
    std::optional<std::string_view> key = r.read_keyword();
    if (!key) {
      r.read();  // a key that is no keyword names no field of ours
      if (r.closes('}', "an operation")) bad_op("a map with an odd number of forms (a key without a value)");
      r.read();
      continue;
    }
    if (r.closes('}', "an operation")) bad_op("a map with an odd number of forms (a key without a value)");
    const unsigned bit = *key == "type" ? kType : *key == "f" ? kF : *key == "process" ? kProcess
                       : *key == "key" ? kKey : *key == "value" ? kValue : *key == "error" ? kError
                       : *key == "time" ? kTime : kOther;
    bool repeated = bit ? (seen & bit) != 0 : std::find(other.begin(), other.end(), *key) != other.end();
    if (repeated)
      throw BadInput(name + ":" + std::to_string(kl) + ":" + std::to_string(kc) + ": the key :" +
                     std::string(*key) + " twice");
    seen |= bit;
    if (!bit) {
      other.push_back(*key);
      r.read();
      continue;
    }
    // :type, :f and :process are usually keywords: read as views of the
    // text, no value built. Anything else is read as a value.
    const bool named = bit == kType || bit == kF || bit == kProcess;
    std::optional<std::string_view> word;
    if (named) word = r.read_keyword();
    nlohmann::json v;
    if (!word) v = r.read();
    if (named && !word && v.is_string()) word = v.get_ref<const std::string&>();
    switch (bit) {
      case kType:
        if (!word) bad_op(":type must be a keyword");
        try {
          op.type = op_type_from_string(std::string(*word));
        } catch (const std::exception& e) {
          bad_op(e.what());
        }
        break;
      case kF:
        if (!word && v.is_null()) bad_op("missing :f");
        op.f = word ? std::string(*word) : v.dump();
        break;
      case kProcess:
        if (word && *word == "nemesis") {
          op.process = kNemesisProcess;
        } else if (!word && v.is_number_integer()) {
          op.process = v.get<int64_t>();
          if (op.process == kNemesisProcess) bad_op(":process -1 is reserved for the nemesis");
        } else {
          bad_op(":process must be an integer or :nemesis");
        }
        break;
      case kKey:
        if (!v.is_null()) op.key = v.is_string() ? v.get<std::string>() : v.dump();
        break;
      case kValue: op.value = std::move(v); break;
      case kError:
        if (!v.is_null()) op.error = v.is_string() ? v.get<std::string>() : v.dump();
        break;
      case kTime:
        if (!v.is_null()) {
          if (!v.is_number_integer()) bad_op(":time must be an integer (nanoseconds)");
          op.time = v.get<int64_t>();
        }
        break;
    }
  }
  const bool has_type = seen & kType, has_f = seen & kF, has_process = seen & kProcess;
  if (!has_type) bad_op("missing :type");
  if (!has_f) bad_op("missing :f");
  if (!has_process) bad_op("missing :process");
  return op;
}

}  // namespace

const char* to_string(HistoryFormat f) {
  switch (f) {
    case HistoryFormat::jsonl: return "jsonl";
    case HistoryFormat::edn: return "edn";
    case HistoryFormat::porcupine_log: return "porcupine-log";
  }
  return "?";
}

HistoryFormat history_format_from_string(const std::string& s) {
  if (s == "jsonl" || s == "json") return HistoryFormat::jsonl;
  if (s == "edn") return HistoryFormat::edn;
  if (s == "porcupine-log" || s == "jepsen-log" || s == "log") return HistoryFormat::porcupine_log;
  throw BadInput("unknown history format \"" + s + "\" (known: jsonl, edn, porcupine-log)");
}

HistoryFormat detect_format(std::string_view content) {
  size_t pos = 0;
  while (pos < content.size()) {
    size_t end = content.find('\n', pos);
    if (end == std::string::npos) end = content.size();
    std::string_view line = trim(content.substr(pos, end - pos));
    pos = end + 1;
    while (!line.empty() && line[0] == ',') line = trim(line.substr(1));  // commas are whitespace in EDN
    if (line.empty() || line[0] == ';') continue;
    if (line[0] == '[' || line[0] == '(' || line[0] == '#') return HistoryFormat::edn;
    if (line[0] == '{') {
      // JSON keys are quoted; EDN keys are keywords.
      std::string_view rest = trim(line.substr(1));
      return (!rest.empty() && rest[0] == '"') || rest == "}" ? HistoryFormat::jsonl
                                                              : HistoryFormat::edn;
    }
    return HistoryFormat::porcupine_log;
  }
  return HistoryFormat::jsonl;  // empty: every reader agrees it holds nothing
}

ReadResult parse_edn_history(std::string_view content, const std::string& name) {
  ReadResult result;
  // Jepsen writes an operation per line: one allocation for them all.
  const size_t lines = static_cast<size_t>(std::count(content.begin(), content.end(), '\n')) + 1;
  result.history.reserve(lines);
  result.lines.reserve(lines);
  EdnReader reader(content);
  try {
    // A sequence of operations, or one vector or list of them.
    char close = 0;
    size_t open_line = 0, open_col = 0;
    if (!reader.at_end() && (reader.peek() == '[' || reader.peek() == '(')) {
      close = reader.peek() == '[' ? ']' : ')';
      open_line = reader.line();
      open_col = reader.column();
      reader.open(reader.peek());
    }
    for (;;) {
      if (close && reader.at_end())
        throw EdnError(open_line, open_col,
                       std::string("the history's ") + (close == ']' ? "vector" : "list") + " never closes");
      if (close ? reader.closes(close, "the history") : reader.at_end()) break;
      size_t line = reader.line();
      result.history.push_back(read_edn_op(reader, name, static_cast<int64_t>(result.history.size())));
      result.lines.push_back(line);
    }
    if (close && !reader.at_end()) reader.fail("text after the history's closing bracket");
  } catch (const EdnError& e) {
    throw BadInput(name + ":" + e.what());
  }
  check_pairing(result, name);
  return result;
}

ReadResult parse_porcupine_log(std::string_view content, const std::string& name) {
  ReadResult result;
  size_t pos = 0, line_no = 0;
  while (pos < content.size()) {
    size_t end = content.find('\n', pos);
    if (end == std::string::npos) end = content.size();
    std::string_view line = trim(content.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;
    // "<LEVEL> <logger> - <message>"
    size_t sp = line.find_first_of(" \t");
    if (sp == std::string_view::npos) bad(name, line_no, "not a Jepsen log line");
    std::string_view level = line.substr(0, sp);
    std::string_view rest = trim(line.substr(sp));
    size_t sp2 = rest.find_first_of(" \t");
    if (sp2 == std::string_view::npos) bad(name, line_no, "not a Jepsen log line");
    std::string_view logger = rest.substr(0, sp2);
    rest = trim(rest.substr(sp2));
    bool level_ok = level == "INFO" || level == "WARN" || level == "DEBUG" || level == "ERROR" ||
                    level == "TRACE";
    if (!level_ok || rest.empty() || rest[0] != '-') bad(name, line_no, "not a Jepsen log line");
    if (logger != "jepsen.util") continue;  // other loggers say nothing about operations
    rest = trim(rest.substr(1));
    // <process> :<type> :<f> <value>
    std::vector<nlohmann::json> fields;
    try {
      EdnReader r(rest, line_no);
      for (int i = 0; i < 3; ++i) {
        if (r.at_end()) bad(name, line_no, "expected <process> :<type> :<f> <value>");
        fields.push_back(r.read());
      }
      nlohmann::json value;
      if (!r.at_end()) value = r.read();
      if (!r.at_end()) bad(name, line_no, "text after the value");
      fields.push_back(std::move(value));
    } catch (const EdnError& e) {
      bad(name, line_no, e.message);
    }
    Op op;
    op.index = static_cast<int64_t>(result.history.size());
    if (fields[0].is_number_integer()) {
      op.process = fields[0].get<int64_t>();
      if (op.process == kNemesisProcess) bad(name, line_no, "process -1 is reserved for the nemesis");
    } else if (fields[0] == "nemesis") {
      op.process = kNemesisProcess;
    } else {
      bad(name, line_no, "the process must be an integer or :nemesis");
    }
    if (!fields[1].is_string() || !fields[2].is_string())
      bad(name, line_no, "expected <process> :<type> :<f> <value>");
    try {
      op.type = op_type_from_string(fields[1].get<std::string>());
    } catch (const std::exception& e) {
      bad(name, line_no, e.what());
    }
    op.f = fields[2].get<std::string>();
    op.value = fields[3];
    if (op.type == OpType::fail) {
      if (op.value == "timed-out") {
        // A read that timed out: its result is unknown.
        op.type = OpType::info;
        op.error = "timed-out";
        op.value = nullptr;
      } else if (op.f == "cas" && op.value.is_array()) {
        // The compare ran and found another value: it happened, and said false.
        op.type = OpType::ok;
        op.value = false;
      }
    } else if (op.type == OpType::info && op.value == "timed-out") {
      op.error = "timed-out";
      op.value = nullptr;
    }
    result.history.push_back(std::move(op));
    result.lines.push_back(line_no);
  }
  check_pairing(result, name);
  return result;
}

ReadResult parse_any_history(std::string_view content, const std::string& name,
                             std::optional<HistoryFormat> format) {
  switch (format.value_or(detect_format(content))) {
    case HistoryFormat::jsonl: return parse_history(std::string(content), name);
    case HistoryFormat::edn: return parse_edn_history(content, name);
    case HistoryFormat::porcupine_log: return parse_porcupine_log(content, name);
  }
  return {};
}

ReadResult read_any_history(const std::filesystem::path& path, std::optional<HistoryFormat> format) {
  MappedFile file(path);
  std::string_view content = file.view();
  HistoryFormat f = format.value_or(detect_format(content.substr(0, std::min<size_t>(content.size(), 1 << 16))));
  if (f == HistoryFormat::jsonl) return read_history(path);
  return parse_any_history(content, path.string(), f);
}

}  // namespace eclat::lin
