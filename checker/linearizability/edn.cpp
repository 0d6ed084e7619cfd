#include "checker/linearizability/edn.hpp"

#include <cctype>
#include <charconv>

namespace eclat::lin {
namespace {
constexpr int kMaxDepth = 256;

// JSON (what values become) holds only UTF-8: anything else is bad input.
bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 9;
    if (n == 9 || (n == 1 && c < 0xC2) || i + n >= s.size() + (n ? 0 : 1)) return false;
    for (size_t k = 1; k <= n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    if (n >= 2) {  // overlong forms, surrogates, beyond U+10FFFF
      unsigned char d = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xE0 && d < 0xA0) || (c == 0xED && d >= 0xA0) || (c == 0xF0 && d < 0x90) ||
          (c == 0xF4 && d >= 0x90) || c > 0xF4)
        return false;
    }
    i += n + 1;
  }
  return true;
}

bool is_delimiter(char c) {
  return std::isspace(static_cast<unsigned char>(c)) || c == ',' || c == '(' || c == ')' ||
         c == '[' || c == ']' || c == '{' || c == '}' || c == '"' || c == ';';
}
}  // namespace

bool EdnReader::at_end() {
  while (pos_ < s_.size()) {
    char c = s_[pos_];
    if (c == '\n') {
      ++line_;
      ++pos_;
    } else if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
      ++pos_;
    } else if (c == ';') {
      while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
    } else {
      return false;
    }
  }
  return true;
}

void EdnReader::expect_more(const char* what) {
  if (at_end()) throw EdnError(line_, std::string("unexpected end of input in ") + what);
}

nlohmann::json EdnReader::read() {
  expect_more("a value");
  return read_value(0);
}

nlohmann::json EdnReader::read_value(int depth) {
  if (depth > kMaxDepth) throw EdnError(line_, "nesting deeper than 256");
  expect_more("a value");
  char c = s_[pos_];
  auto read_seq = [&](char close, const char* what) {
    nlohmann::json arr = nlohmann::json::array();
    for (;;) {
      expect_more(what);
      if (s_[pos_] == close) {
        ++pos_;
        return arr;
      }
      if (s_[pos_] == ')' || s_[pos_] == ']' || s_[pos_] == '}')
        throw EdnError(line_, std::string("unbalanced '") + s_[pos_] + "' in " + what);
      arr.push_back(read_value(depth + 1));
    }
  };
  switch (c) {
    case '[': ++pos_; return read_seq(']', "a vector");
    case '(': ++pos_; return read_seq(')', "a list");
    case '{': {
      ++pos_;
      nlohmann::json obj = nlohmann::json::object();
      for (;;) {
        expect_more("a map");
        if (s_[pos_] == '}') {
          ++pos_;
          return obj;
        }
        if (s_[pos_] == ')' || s_[pos_] == ']')
          throw EdnError(line_, std::string("unbalanced '") + s_[pos_] + "' in a map");
        nlohmann::json k = read_value(depth + 1);
        expect_more("a map");
        if (s_[pos_] == '}') throw EdnError(line_, "a map with an odd number of forms");
        nlohmann::json v = read_value(depth + 1);
        std::string key = k.is_string() ? k.get<std::string>() : k.dump();
        obj[key] = std::move(v);
      }
    }
    case '"': return read_string();
    case '\\': return read_char();
    case ')':
    case ']':
    case '}': throw EdnError(line_, std::string("unexpected '") + c + "'");
    case '#': {
      ++pos_;
      if (pos_ >= s_.size()) throw EdnError(line_, "a lone '#'");
      char d = s_[pos_];
      if (d == '{') {  // a set
        ++pos_;
        return read_seq('}', "a set");
      }
      if (d == '_') {  // discard the next form
        ++pos_;
        read_value(depth + 1);
        return read_value(depth);
      }
      // A tagged literal: #tag value. The tag carries no meaning for us.
      size_t start = pos_;
      while (pos_ < s_.size() && !is_delimiter(s_[pos_])) ++pos_;
      if (pos_ == start) throw EdnError(line_, "a '#' without a tag");
      return read_value(depth + 1);
    }
    default: return read_atom();
  }
}

nlohmann::json EdnReader::read_string() {
  ++pos_;  // opening quote
  std::string out;
  size_t start_line = line_;
  while (pos_ < s_.size()) {
    char c = s_[pos_++];
    if (c == '"') {
      if (!valid_utf8(out)) throw EdnError(start_line, "a string that is not UTF-8");
      return out;
    }
    if (c == '\n') ++line_;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (pos_ >= s_.size()) break;
    char e = s_[pos_++];
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case 'u': {
        if (pos_ + 4 > s_.size()) throw EdnError(line_, "a cut \\u escape");
        unsigned cp = 0;
        auto r = std::from_chars(s_.data() + pos_, s_.data() + pos_ + 4, cp, 16);
        if (r.ec != std::errc() || r.ptr != s_.data() + pos_ + 4)
          throw EdnError(line_, "a bad \\u escape");
        pos_ += 4;
        if (cp >= 0xD800 && cp <= 0xDFFF) throw EdnError(line_, "a \\u escape of a lone surrogate");
        if (cp < 0x80) {
          out += static_cast<char>(cp);
        } else if (cp < 0x800) {
          out += static_cast<char>(0xC0 | (cp >> 6));
          out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
          out += static_cast<char>(0xE0 | (cp >> 12));
          out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          out += static_cast<char>(0x80 | (cp & 0x3F));
        }
        break;
      }
      default: throw EdnError(line_, std::string("unknown escape \\") + e + " in a string");
    }
  }
  throw EdnError(start_line, "a string that never ends");
}

nlohmann::json EdnReader::read_char() {
  ++pos_;  // backslash
  size_t start = pos_;
  if (pos_ < s_.size()) ++pos_;  // at least one character, even a delimiter
  while (pos_ < s_.size() && !is_delimiter(s_[pos_])) ++pos_;
  std::string name(s_.substr(start, pos_ - start));
  if (name.empty()) throw EdnError(line_, "a lone '\\'");
  if (!valid_utf8(name)) throw EdnError(line_, "a character that is not UTF-8");
  if (name == "newline") return "\n";
  if (name == "space") return " ";
  if (name == "tab") return "\t";
  if (name == "return") return "\r";
  return name;
}

nlohmann::json EdnReader::read_atom() {
  size_t start = pos_;
  while (pos_ < s_.size() && !is_delimiter(s_[pos_])) ++pos_;
  std::string_view tok = s_.substr(start, pos_ - start);
  if (tok.empty()) throw EdnError(line_, std::string("unexpected '") + s_[pos_] + "'");
  if (!valid_utf8(tok)) throw EdnError(line_, "a token that is not UTF-8");
  if (tok == "nil") return nullptr;
  if (tok == "true") return true;
  if (tok == "false") return false;
  if (tok[0] == ':') {
    if (tok.size() == 1) throw EdnError(line_, "a lone ':'");
    return std::string(tok.substr(1));
  }
  char c0 = tok[0];
  bool numeric = std::isdigit(static_cast<unsigned char>(c0)) ||
                 ((c0 == '-' || c0 == '+') && tok.size() > 1 &&
                  std::isdigit(static_cast<unsigned char>(tok[1])));
  if (!numeric) return std::string(tok);  // a symbol
  std::string_view num = tok;
  if (num[0] == '+') num.remove_prefix(1);
  if (num.back() == 'N' || num.back() == 'M') num.remove_suffix(1);  // bigint / bigdec
  int64_t i = 0;
  auto r = std::from_chars(num.data(), num.data() + num.size(), i);
  if (r.ec == std::errc() && r.ptr == num.data() + num.size()) return i;
  double d = 0;
  auto rd = std::from_chars(num.data(), num.data() + num.size(), d);
  if (rd.ec == std::errc() && rd.ptr == num.data() + num.size()) return d;
  // Ratios (1/3) and other exotic numbers: kept as their text, compared as such.
  if (num.find('/') != std::string_view::npos) return std::string(tok);
  throw EdnError(line_, "not a number: " + std::string(tok));
}

nlohmann::json parse_edn(std::string_view text, size_t first_line) {
  EdnReader r(text, first_line);
  nlohmann::json v = r.read();
  if (!r.at_end()) throw EdnError(r.line(), "more than one value");
  return v;
}

}  // namespace eclat::lin
