#include "history/history.hpp"

#include "core/run_clock.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "history/fast_parse.hpp"
#include "history/pairing.hpp"
#include "core/errors.hpp"
#include "core/json_input.hpp"

namespace eclat {

const char* to_string(OpType t) {
  switch (t) {
    case OpType::invoke: return "invoke";
    case OpType::ok: return "ok";
    case OpType::fail: return "fail";
    case OpType::info: return "info";
  }
  return "?";
}

OpType op_type_from_string(const std::string& s) {
  if (s == "invoke") return OpType::invoke;
  if (s == "ok") return OpType::ok;
  if (s == "fail") return OpType::fail;
  if (s == "info") return OpType::info;
  throw std::invalid_argument("unknown operation type \"" + s + "\"");
}

nlohmann::json Op::to_json() const {
  nlohmann::json j;
  j["index"] = index;
  j["type"] = to_string(type);
  if (process == kNemesisProcess) {
    j["process"] = "nemesis";
  } else {
    j["process"] = process;
  }
  j["f"] = f;
  if (key) j["key"] = *key;
  if (!value.is_null()) j["value"] = value;
  j["time"] = time;
  if (!error.empty()) j["error"] = error;
  return j;
}

Op Op::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("an operation must be a JSON object");
  Op op;
  auto need = [&](const char* k) -> const nlohmann::json& {
    auto it = j.find(k);
    if (it == j.end()) throw std::invalid_argument(std::string("missing \"") + k + "\"");
    return *it;
  };
  const auto& type = need("type");
  if (!type.is_string()) throw std::invalid_argument("\"type\" must be a string");
  op.type = op_type_from_string(type.get<std::string>());
  const auto& process = need("process");
  if (process.is_string()) {
    if (process.get<std::string>() != "nemesis")
      throw std::invalid_argument("\"process\" must be an integer or \"nemesis\"");
    op.process = kNemesisProcess;
  } else if (process.is_number_integer()) {
    op.process = process.get<int64_t>();
  } else {
    throw std::invalid_argument("\"process\" must be an integer or \"nemesis\"");
  }
  const auto& f = need("f");
  if (!f.is_string()) throw std::invalid_argument("\"f\" must be a string");
  op.f = f.get<std::string>();
  if (auto it = j.find("index"); it != j.end()) {
    if (!it->is_number_integer()) throw std::invalid_argument("\"index\" must be an integer");
    op.index = it->get<int64_t>();
  }
  if (auto it = j.find("time"); it != j.end()) {
    if (!it->is_number_integer()) throw std::invalid_argument("\"time\" must be an integer");
    op.time = it->get<int64_t>();
  }
  if (auto it = j.find("key"); it != j.end() && !it->is_null()) {
    op.key = it->is_string() ? it->get<std::string>() : it->dump();
  }
  if (auto it = j.find("value"); it != j.end()) op.value = *it;
  if (auto it = j.find("error"); it != j.end() && !it->is_null()) {
    op.error = it->is_string() ? it->get<std::string>() : it->dump();
  }
  return op;
}

HistoryWriter::HistoryWriter(const std::filesystem::path& path)
    : start_(run_clock::epoch()) {  // the run's time base (core/run_clock.hpp)
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw HarnessError("cannot open " + path.string() + ": " + strerror(errno));
}

HistoryWriter::~HistoryWriter() {
  if (fd_ >= 0) ::close(fd_);
}

int64_t HistoryWriter::now_ns() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                              start_)
      .count();
}

int64_t HistoryWriter::count() const {
  std::lock_guard lock(mu_);
  return next_index_;
}

Op HistoryWriter::record(Op op) {
  std::lock_guard lock(mu_);
  op.index = next_index_++;
  // Time is taken under the lock so that index order and time order agree.
  op.time = now_ns();
  std::string line = op.to_json().dump() + "\n";
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw HarnessError(std::string("cannot write the history: ") + strerror(errno));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (observer_) observer_(op);
  return op;
}

ReadResult read_history(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw BadInput("cannot read history " + path.string());
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_history(content, path.string());
}

ReadResult parse_history(const std::string& content, const std::string& name) {
  ReadResult result;
  // One allocation for the whole history (10M operations would otherwise be
  // moved around a dozen times as the vector grows).
  const size_t lines = static_cast<size_t>(std::count(content.begin(), content.end(), '\n')) + 1;
  result.history.reserve(lines);
  result.lines.reserve(lines);
  FastOpParser fast;
  size_t pos = 0;
  int line_no = 0;
  while (pos < content.size()) {
    size_t end = content.find('\n', pos);
    bool terminated = end != std::string::npos;
    if (!terminated) end = content.size();
    std::string_view line(content.data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    Op op;
    if (fast.parse(line, op)) {
      result.history.push_back(std::move(op));
      result.lines.push_back(static_cast<size_t>(line_no));
      continue;
    }
    try {
      result.history.push_back(Op::from_json(parse_bounded_json(line)));
      result.lines.push_back(static_cast<size_t>(line_no));
    } catch (const std::exception& e) {
      if (!terminated) {
        // The writer died in the middle of this line: everything before it stands.
        result.truncated_tail = true;
        break;
      }
      throw BadInput(name + ":" + std::to_string(line_no) + ": " + e.what());
    }
  }
  check_pairing(result, name);
  return result;
}

}  // namespace eclat
