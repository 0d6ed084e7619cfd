#include "core/json_input.hpp"

#include <fstream>
#include <set>
#include <vector>

#include "core/errors.hpp"

namespace eclat {

namespace {

struct Refused {  // thrown through the parser from its callback
  std::string why;
};

std::string cut(std::string s, size_t n = 160) {
  if (s.size() > n) s = s.substr(0, n) + "...";
  return s;
}

// "[json.exception.parse_error.101] parse error at line 3, column 23: syntax
// error ..." -> where "3:23", why "syntax error ...".
JsonInputError from_parser(const nlohmann::json::exception& e, const std::string& key) {
  std::string msg = e.what();
  if (auto close = msg.find("] "); msg.rfind("[json.exception.", 0) == 0 && close != std::string::npos)
    msg = msg.substr(close + 2);
  std::string where;
  const std::string at = "parse error at line ";
  if (msg.rfind(at, 0) == 0) {
    const size_t comma = msg.find(", column ");
    const size_t colon = msg.find(": ", comma == std::string::npos ? 0 : comma);
    if (comma != std::string::npos && colon != std::string::npos) {
      where = msg.substr(at.size(), comma - at.size()) + ":" + msg.substr(comma + 9, colon - comma - 9);
      msg = msg.substr(colon + 2);
    }
  }
  if (where.empty() && !key.empty()) msg = "the value of \"" + cut(key, 60) + "\": " + msg;
  return JsonInputError(where, cut(msg));
}

}  // namespace

nlohmann::json parse_bounded_json(std::string_view text, int max_depth) {
  std::vector<std::set<std::string>> keys;  // per open object, the keys seen
  std::string last_key;
  std::vector<std::string> path;  // the key at each depth, from the top
  auto check = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (depth > max_depth) {
      std::string at;  // the outermost keys say where it is: "set"."shards"
      for (size_t i = 0; i < path.size() && i < 3; ++i) at += (i ? "." : "") + ("\"" + cut(path[i], 40) + "\"");
      throw Refused{(at.empty() ? std::string() : "the value of " + at + ": ") + "nesting deeper than " +
                    std::to_string(max_depth)};
    }
    if (event == E::key && parsed.is_string() && depth >= 1) {  // a top-level key comes at depth 1
      path.resize(static_cast<size_t>(depth));
      path.back() = parsed.get<std::string>();
    }
    if (event == E::object_start) keys.emplace_back();
    if (event == E::object_end && !keys.empty()) keys.pop_back();
    if (event == E::key && parsed.is_string()) {
      last_key = parsed.get<std::string>();
      if (!keys.empty() && !keys.back().insert(last_key).second)
        throw Refused{"key \"" + cut(last_key, 60) + "\" given twice in one object"};
    }
    return true;
  };
  try {
    return nlohmann::json::parse(text.begin(), text.end(), check);
  } catch (const Refused& r) {
    throw JsonInputError("", r.why);
  } catch (const nlohmann::json::exception& e) {
    throw from_parser(e, last_key);
  }
}

nlohmann::json read_json_file(const std::filesystem::path& file, size_t max_bytes, int max_depth) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw BadInput(file.string() + ": cannot read the file");
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > max_bytes)
      throw BadInput(file.string() + ": larger than " + std::to_string(max_bytes >> 20) +
                     " MiB: not a file Éclat wrote or reads");
  }
  try {
    return parse_bounded_json(text, max_depth);
  } catch (const JsonInputError& e) {
    throw BadInput(file.string() + (e.where.empty() ? "" : ":" + e.where) + ": not valid JSON: " + e.what());
  }
}

}  // namespace eclat
