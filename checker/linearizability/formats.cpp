#include "checker/linearizability/formats.hpp"

#include <cctype>
#include <fstream>
#include <string_view>

#include "checker/linearizability/edn.hpp"
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

// One Jepsen operation map (EDN, already as JSON) to an Éclat operation.
Op op_from_edn(const nlohmann::json& m, const std::string& name, size_t line, int64_t position) {
  if (!m.is_object()) bad(name, line, "an operation must be a map");
  Op op;
  auto type = m.find("type");
  if (type == m.end() || !type->is_string()) bad(name, line, "missing :type");
  try {
    op.type = op_type_from_string(type->get<std::string>());
  } catch (const std::exception& e) {
    bad(name, line, e.what());
  }
  auto f = m.find("f");
  if (f == m.end() || f->is_null()) bad(name, line, "missing :f");
  op.f = f->is_string() ? f->get<std::string>() : f->dump();
  auto p = m.find("process");
  if (p == m.end()) bad(name, line, "missing :process");
  if (p->is_number_integer()) {
    op.process = p->get<int64_t>();
    if (op.process == kNemesisProcess) bad(name, line, ":process -1 is reserved for the nemesis");
  } else if (p->is_string() && p->get<std::string>() == "nemesis") {
    op.process = kNemesisProcess;
  } else {
    bad(name, line, ":process must be an integer or :nemesis");
  }
  if (auto k = m.find("key"); k != m.end() && !k->is_null())
    op.key = k->is_string() ? k->get<std::string>() : k->dump();
  if (auto v = m.find("value"); v != m.end()) op.value = *v;
  if (auto e = m.find("error"); e != m.end() && !e->is_null())
    op.error = e->is_string() ? e->get<std::string>() : e->dump();
  op.index = position;
  if (auto t = m.find("time"); t != m.end() && !t->is_null()) {
    if (!t->is_number_integer()) bad(name, line, ":time must be an integer (nanoseconds)");
    op.time = t->get<int64_t>();
  }
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

HistoryFormat detect_format(const std::string& content) {
  size_t pos = 0;
  while (pos < content.size()) {
    size_t end = content.find('\n', pos);
    if (end == std::string::npos) end = content.size();
    std::string_view line = trim(std::string_view(content).substr(pos, end - pos));
    pos = end + 1;
    if (line.empty() || line[0] == ';') continue;
    if (line[0] == '[') return HistoryFormat::edn;
    if (line[0] == '{') {
      // JSON keys are quoted; EDN keys are keywords.
      std::string_view rest = trim(line.substr(1));
      return (!rest.empty() && rest[0] == '"') || rest == "}" ? HistoryFormat::jsonl
                                                              : HistoryFormat::edn;
    }
    if (line[0] == '#') return HistoryFormat::edn;  // a tagged record
    return HistoryFormat::porcupine_log;
  }
  return HistoryFormat::jsonl;  // empty: every reader agrees it holds nothing
}

ReadResult parse_edn_history(const std::string& content, const std::string& name) {
  ReadResult result;
  EdnReader reader(content);
  if (reader.at_end()) return result;
  bool vector = reader.peek() == '[';
  if (vector) reader.skip_char();
  try {
    for (;;) {
      if (reader.at_end()) {
        if (vector) bad(name, reader.line(), "the history vector never closes");
        break;
      }
      if (vector && reader.peek() == ']') {
        reader.skip_char();
        if (!reader.at_end()) bad(name, reader.line(), "text after the history vector");
        break;
      }
      size_t line = reader.line();
      nlohmann::json m = reader.read();
      result.history.push_back(
          op_from_edn(m, name, line, static_cast<int64_t>(result.history.size())));
      result.lines.push_back(line);
    }
  } catch (const EdnError& e) {
    bad(name, e.line, std::string(e.what()).substr(std::string(e.what()).find(": ") + 2));
  }
  check_pairing(result, name);
  return result;
}

ReadResult parse_porcupine_log(const std::string& content, const std::string& name) {
  ReadResult result;
  size_t pos = 0, line_no = 0;
  while (pos < content.size()) {
    size_t end = content.find('\n', pos);
    if (end == std::string::npos) end = content.size();
    std::string_view line = trim(std::string_view(content).substr(pos, end - pos));
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
      bad(name, line_no, std::string(e.what()).substr(std::string(e.what()).find(": ") + 2));
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

ReadResult parse_any_history(const std::string& content, const std::string& name,
                             std::optional<HistoryFormat> format) {
  switch (format.value_or(detect_format(content))) {
    case HistoryFormat::jsonl: return parse_history(content, name);
    case HistoryFormat::edn: return parse_edn_history(content, name);
    case HistoryFormat::porcupine_log: return parse_porcupine_log(content, name);
  }
  return {};
}

ReadResult read_any_history(const std::filesystem::path& path, std::optional<HistoryFormat> format) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw BadInput("cannot read history " + path.string());
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_any_history(content, path.string(), format);
}

}  // namespace eclat::lin
