#include "history/edn_reader.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

namespace eclat {
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

// What ends a token (a symbol, keyword, number or character name): Clojure's
// terminating characters.
bool is_delimiter(char c) {
  switch (c) {
    case ' ': case '\t': case '\n': case '\r': case '\f': case '\v': case ',':
    case '(': case ')': case '[': case ']': case '{': case '}': case '"': case ';':
    case '\\': case '@': case '^': case '`': case '~':
      return true;
    default:
      return false;
  }
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

void put_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Four hex digits at s[pos..], or -1.
int64_t hex4(std::string_view s, size_t pos) {
  if (pos + 4 > s.size()) return -1;
  unsigned v = 0;
  auto r = std::from_chars(s.data() + pos, s.data() + pos + 4, v, 16);
  if (r.ec != std::errc() || r.ptr != s.data() + pos + 4) return -1;
  return v;
}

// Bytes of the UTF-8 character that starts with `c` (1 for anything odd:
// validation says what is wrong).
size_t utf8_length(unsigned char c) {
  return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

}  // namespace

void EdnReader::fail_at(size_t line, size_t column, const std::string& message) const {
  throw EdnError(line, column, message);
}

void EdnReader::fail(const std::string& message) const { fail_at(line_, column(), message); }

void EdnReader::skip_space(int depth) {
  while (pos_ < s_.size()) {
    char c = s_[pos_];
    if (c == '\n') {
      ++line_;
      line_start_ = ++pos_;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == ',') {
      ++pos_;
    } else if (c == ';') {
      while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
    } else if (c == '#' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '_') {
      // #_ discards the next form, wherever whitespace may be: "[1 #_2]".
      size_t l = line_, col = column();
      if (depth > kMaxDepth) fail("discards nested deeper than 256 (#_ #_ ...)");
      pos_ += 2;
      skip_space(depth + 1);
      if (pos_ >= s_.size() || s_[pos_] == ')' || s_[pos_] == ']' || s_[pos_] == '}')
        fail_at(l, col, "#_ discards nothing");
      read_value(depth + 1);
    } else {
      return;
    }
  }
}

bool EdnReader::at_end() {
  skip_space(0);
  return pos_ >= s_.size();
}

void EdnReader::expect_more(const char* what, int depth) {
  skip_space(depth);
  if (pos_ >= s_.size()) fail(std::string("the input ends where ") + what + " should be");
}

nlohmann::json EdnReader::read() {
  expect_more("a value", 0);
  return read_value(0);
}

void EdnReader::open(char open) {
  expect_more("a collection", 0);
  if (s_[pos_] != open) fail(std::string("expected '") + open + "'");
  ++pos_;
}

bool EdnReader::closes(char close, const char* what) {
  skip_space(0);
  if (pos_ >= s_.size()) fail(std::string("the input ends inside ") + what);
  char c = s_[pos_];
  if (c == close) {
    ++pos_;
    return true;
  }
  if (c == ')' || c == ']' || c == '}') fail(std::string("unbalanced '") + c + "' in " + what);
  return false;
}

std::optional<std::string_view> EdnReader::read_tag() {
  skip_space(0);
  if (pos_ + 1 >= s_.size() || s_[pos_] != '#') return std::nullopt;
  char d = s_[pos_ + 1];
  if (d == '{' || d == '_' || d == '#' || d == ':' || is_delimiter(d)) return std::nullopt;
  size_t l = line_, col = column();
  ++pos_;
  std::string_view tag = token();
  if (!valid_utf8(tag)) fail_at(l, col, "a tag that is not UTF-8");
  return tag;
}

std::optional<std::string_view> EdnReader::read_keyword() {
  skip_space(0);
  if (pos_ + 1 >= s_.size() || s_[pos_] != ':' || s_[pos_ + 1] == ':') return std::nullopt;
  size_t start = pos_;
  std::string_view tok = token();
  if (tok.size() < 2 || !valid_utf8(tok)) {  // the general reader says what is wrong
    pos_ = start;
    return std::nullopt;
  }
  return tok.substr(1);
}

std::string_view EdnReader::token() {
  size_t start = pos_;
  while (pos_ < s_.size() && !is_delimiter(s_[pos_])) ++pos_;
  return s_.substr(start, pos_ - start);
}

nlohmann::json EdnReader::read_value(int depth) {
  if (depth > kMaxDepth) fail("nesting deeper than 256");
  expect_more("a value", depth);
  char c = s_[pos_];
  switch (c) {
    case '[': return read_collection(']', "a vector", depth);
    case '(': return read_collection(')', "a list", depth);
    case '{': return read_map(depth, "");
    case '"': return read_string();
    case '\\': return read_char();
    case '#': return read_dispatch(depth);
    case ')':
    case ']':
    case '}': fail(std::string("unexpected '") + c + "'");
    case '\'': fail("not EDN: a quoted form ('x is Clojure code)");
    case '@': fail("not EDN: a deref (@x is Clojure code)");
    case '^': fail("not EDN: metadata (^x is Clojure code)");
    case '`':
    case '~': fail(std::string("not EDN: a syntax quote (") + c + " is Clojure code)");
    default: return read_atom();
  }
}

nlohmann::json EdnReader::read_collection(char close, const char* what, int depth) {
  size_t l = line_, col = column();
  ++pos_;
  nlohmann::json arr = nlohmann::json::array();
  for (;;) {
    skip_space(depth + 1);
    if (pos_ >= s_.size())
      fail_at(l, col, std::string(what) + " that never closes");
    char c = s_[pos_];
    if (c == close) {
      ++pos_;
      return arr;
    }
    if (c == ')' || c == ']' || c == '}')
      fail(std::string("unbalanced '") + c + "' in " + what + " opened at " + std::to_string(l) +
           ":" + std::to_string(col));
    arr.push_back(read_value(depth + 1));
  }
}

nlohmann::json EdnReader::read_set(int depth) {
  size_t l = line_, col = column();
  ++pos_;  // '#'; read_collection takes the '{'
  nlohmann::json elems = read_collection('}', "a set", depth);
  std::vector<std::pair<std::string, nlohmann::json>> keyed;
  keyed.reserve(elems.size());
  for (auto& e : elems) keyed.emplace_back(e.dump(), std::move(e));
  std::sort(keyed.begin(), keyed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < keyed.size(); ++i) {
    if (i > 0 && keyed[i].first == keyed[i - 1].first)
      fail_at(l, col, "a set with the element " + keyed[i].first + " twice");
    out.push_back(std::move(keyed[i].second));
  }
  return out;
}

nlohmann::json EdnReader::read_map(int depth, const std::string& ns) {
  size_t l = line_, col = column();
  ++pos_;
  nlohmann::json obj = nlohmann::json::object();
  for (;;) {
    skip_space(depth + 1);
    if (pos_ >= s_.size()) fail_at(l, col, "a map that never closes");
    char c = s_[pos_];
    if (c == '}') {
      ++pos_;
      return obj;
    }
    if (c == ')' || c == ']')
      fail(std::string("unbalanced '") + c + "' in a map opened at " + std::to_string(l) + ":" +
           std::to_string(col));
    size_t kl = line_, kc = column();
    bool keyword = c == ':';
    nlohmann::json k = read_value(depth + 1);
    skip_space(depth + 1);
    if (pos_ < s_.size() && s_[pos_] == '}') fail("a map with an odd number of forms (a key without a value)");
    nlohmann::json v = read_value(depth + 1);
    std::string key = k.is_string() ? k.get<std::string>() : k.dump();
    // #:ns{:a 1}: keywords without a namespace take the map's; :_/a has none.
    if (!ns.empty() && keyword) {
      if (key.rfind("_/", 0) == 0) key = key.substr(2);
      else if (key.find('/') == std::string::npos) key = ns + "/" + key;
    }
    if (obj.contains(key)) fail_at(kl, kc, "a map with the key " + key + " twice");
    obj[key] = std::move(v);
  }
}

nlohmann::json EdnReader::read_dispatch(int depth) {
  size_t l = line_, col = column();
  if (pos_ + 1 >= s_.size()) fail("a lone '#'");
  char d = s_[pos_ + 1];
  switch (d) {
    case '{': return read_set(depth);
    case '#': {  // ##Inf, ##-Inf, ##NaN
      pos_ += 2;
      std::string_view t = token();
      if (t == "Inf" || t == "-Inf" || t == "NaN") return "##" + std::string(t);
      fail_at(l, col, "unknown symbolic value ##" + std::string(t));
    }
    case ':': {  // #:ns{...}: a namespaced map (Clojure 1.9)
      pos_ += 2;
      std::string ns(token());
      if (ns.empty() || !valid_utf8(ns)) fail_at(l, col, "a namespaced map without a namespace");
      skip_space(depth + 1);
      if (pos_ >= s_.size() || s_[pos_] != '{') fail_at(l, col, "#:" + ns + " must be followed by a map");
      return read_map(depth, ns);
    }
    case '"': fail("not EDN: a regular expression (#\"...\" is Clojure code)");
    case '(': fail("not EDN: an anonymous function (#(...) is Clojure code)");
    case '\'': fail("not EDN: a var quote (#' is Clojure code)");
    case '^': fail("not EDN: metadata (#^ is Clojure code)");
    case '=': fail("not EDN: a read-time evaluation (#= is Clojure code)");
    case '?': fail("not EDN: a reader conditional (#? is Clojure code)");
    default: break;
  }
  if (is_delimiter(d)) fail("a '#' without a tag");
  ++pos_;
  std::string tag(token());
  if (!valid_utf8(tag)) fail_at(l, col, "a tag that is not UTF-8");
  if (!std::isalpha(static_cast<unsigned char>(tag[0])))
    fail_at(l, col, "a tag must start with a letter: #" + tag);
  expect_more(("the value of #" + tag).c_str(), depth + 1);
  bool map_follows = s_[pos_] == '{';
  nlohmann::json v = read_value(depth + 1);
  if (tag == "inst" || tag == "uuid") {
    if (!v.is_string()) fail_at(l, col, "#" + tag + " must be followed by a string");
    return v;
  }
  // A record literal (#jepsen.history.Op{...}) is the map it holds.
  if (map_follows && tag.find('.') != std::string::npos) return v;
  nlohmann::json tagged = nlohmann::json::object();
  tagged["#" + tag] = std::move(v);
  return tagged;
}

nlohmann::json EdnReader::read_string() {
  size_t l = line_, col = column();
  ++pos_;  // opening quote
  std::string out;
  while (pos_ < s_.size()) {
    char c = s_[pos_++];
    if (c == '"') {
      if (!valid_utf8(out)) fail_at(l, col, "a string that is not UTF-8");
      return out;
    }
    if (c == '\n') {
      ++line_;
      line_start_ = pos_;
    }
    if (c != '\\') {
      out += c;
      continue;
    }
    if (pos_ >= s_.size()) break;
    size_t ec = column() - 1;
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
        int64_t cp = hex4(s_, pos_);
        if (cp < 0) fail_at(line_, ec, "a \\u escape needs four hex digits");
        pos_ += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {  // a high surrogate: its low half must follow
          int64_t lo = pos_ + 1 < s_.size() && s_[pos_] == '\\' && s_[pos_ + 1] == 'u' ? hex4(s_, pos_ + 2) : -1;
          if (lo < 0xDC00 || lo > 0xDFFF) fail_at(line_, ec, "a \\u escape of a lone surrogate");
          pos_ += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          fail_at(line_, ec, "a \\u escape of a lone surrogate");
        }
        put_utf8(out, static_cast<uint32_t>(cp));
        break;
      }
      default: fail_at(line_, ec, std::string("unknown escape \\") + e + " in a string");
    }
  }
  fail_at(l, col, "a string that never ends");
}

nlohmann::json EdnReader::read_char() {
  size_t l = line_, col = column();
  ++pos_;  // backslash
  if (pos_ >= s_.size() || std::isspace(static_cast<unsigned char>(s_[pos_])))
    fail_at(l, col, "a lone '\\'");
  size_t start = pos_;
  pos_ += std::min(utf8_length(static_cast<unsigned char>(s_[pos_])), s_.size() - pos_);
  while (pos_ < s_.size() && !is_delimiter(s_[pos_])) ++pos_;
  std::string_view name = s_.substr(start, pos_ - start);
  if (!valid_utf8(name)) fail_at(l, col, "a character that is not UTF-8");
  if (utf8_length(static_cast<unsigned char>(name[0])) == name.size()) return std::string(name);
  if (name == "newline") return "\n";
  if (name == "space") return " ";
  if (name == "tab") return "\t";
  if (name == "return") return "\r";
  if (name == "formfeed") return "\f";
  if (name == "backspace") return "\b";
  if (name.size() == 5 && name[0] == 'u') {
    int64_t cp = hex4(name, 1);
    if (cp < 0) fail_at(l, col, "a \\u character needs four hex digits: \\" + std::string(name));
    if (cp >= 0xD800 && cp <= 0xDFFF) fail_at(l, col, "a surrogate is not a character: \\" + std::string(name));
    std::string out;
    put_utf8(out, static_cast<uint32_t>(cp));
    return out;
  }
  if (name[0] == 'o' && name.size() >= 2 && name.size() <= 4) {  // Clojure's octal \o101
    unsigned cp = 0;
    auto r = std::from_chars(name.data() + 1, name.data() + name.size(), cp, 8);
    if (r.ec == std::errc() && r.ptr == name.data() + name.size() && cp <= 0377) {
      std::string out;
      put_utf8(out, cp);
      return out;
    }
  }
  fail_at(l, col, "unknown character \\" + std::string(name));
}

nlohmann::json EdnReader::read_atom() {
  size_t l = line_, col = column();
  std::string_view tok = token();
  if (tok.empty()) fail(std::string("unexpected '") + s_[pos_] + "'");
  if (!valid_utf8(tok)) fail_at(l, col, "a token that is not UTF-8");
  if (tok == "nil") return nullptr;
  if (tok == "true") return true;
  if (tok == "false") return false;
  if (tok[0] == ':') {
    if (tok.size() == 1) fail_at(l, col, "a lone ':'");
    if (tok[1] == ':') fail_at(l, col, "not EDN: an auto-resolved keyword " + std::string(tok));
    return std::string(tok.substr(1));
  }
  bool numeric = is_digit(tok[0]) || ((tok[0] == '-' || tok[0] == '+') && tok.size() > 1 && is_digit(tok[1]));
  if (!numeric) return std::string(tok);  // a symbol
  try {
    return read_number(tok);
  } catch (const std::invalid_argument& e) {
    fail_at(l, col, e.what());
  }
}

// EDN's numbers: [+-]digits, then N, or /digits (a ratio), or a fraction
// and/or exponent and an optional M, or M alone.
nlohmann::json EdnReader::read_number(std::string_view tok) {
  auto bad = [&](const std::string& why) -> nlohmann::json {
    throw std::invalid_argument(why + ": " + std::string(tok));
  };
  bool negative = tok[0] == '-';
  std::string_view body = tok[0] == '-' || tok[0] == '+' ? tok.substr(1) : tok;
  size_t i = 0;
  while (i < body.size() && is_digit(body[i])) ++i;
  std::string_view digits = body.substr(0, i);
  std::string_view rest = body.substr(i);
  // Clojure's hexadecimal integers: it prints an object's identity hash so
  // (#object[java.lang.Exception 0x6d4b1c02 "..."], in Jepsen's :error values).
  if (digits == "0" && rest.size() > 1 && (rest[0] == 'x' || rest[0] == 'X')) {
    std::string_view hex = rest.substr(1);
    if (!hex.empty() && hex.back() == 'N') hex.remove_suffix(1);
    uint64_t u = 0;
    auto r = std::from_chars(hex.data(), hex.data() + hex.size(), u, 16);
    if (hex.empty() || r.ptr != hex.data() + hex.size()) bad("not a hexadecimal number");
    if (r.ec != std::errc() || u > uint64_t(INT64_MAX)) bad("a hexadecimal number beyond 63 bits");
    return negative ? -static_cast<int64_t>(u) : static_cast<int64_t>(u);
  }
  auto integer = [&](std::string_view ds) -> nlohmann::json {
    if (ds.size() > 1 && ds[0] == '0')
      bad("a number with a leading zero (Clojure would read it as octal; EDN has none)");
    uint64_t u = 0;
    auto r = std::from_chars(ds.data(), ds.data() + ds.size(), u);
    if (r.ec == std::errc()) {
      if (!negative) return u <= uint64_t(INT64_MAX) ? nlohmann::json(static_cast<int64_t>(u)) : nlohmann::json(u);
      if (u <= uint64_t(INT64_MAX)) return -static_cast<int64_t>(u);
      if (u == uint64_t(INT64_MAX) + 1) return INT64_MIN;
    }
    return (negative ? "-" : "") + std::string(ds);  // beyond 64 bits: exact, as text
  };
  if (rest.empty() || rest == "N") return integer(digits);
  if (rest[0] == '/') {
    std::string_view den = rest.substr(1);
    if (den.empty() || !std::all_of(den.begin(), den.end(), is_digit)) bad("not a ratio");
    uint64_t n = 0, d = 0;
    auto rn = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    auto rd = std::from_chars(den.data(), den.data() + den.size(), d);
    if (rd.ec == std::errc() && d == 0) bad("a ratio with the denominator 0");
    if (rn.ec != std::errc() || rd.ec != std::errc())  // too large to reduce: kept as written
      return std::string(tok[0] == '+' ? tok.substr(1) : tok);
    uint64_t g = std::gcd(n, d);
    n /= g ? g : 1;
    d /= g ? g : 1;
    if (d == 1) {
      std::string ds = std::to_string(n);
      return integer(ds);
    }
    return std::string(negative && n ? "-" : "") + std::to_string(n) + "/" + std::to_string(d);
  }
  // A float: digits, then .digits*, then [eE][+-]?digits, then M.
  size_t j = 0;
  bool fraction = false, exponent = false;
  if (j < rest.size() && rest[j] == '.') {
    fraction = true;
    ++j;
    while (j < rest.size() && is_digit(rest[j])) ++j;
  }
  if (j < rest.size() && (rest[j] == 'e' || rest[j] == 'E')) {
    exponent = true;
    ++j;
    if (j < rest.size() && (rest[j] == '+' || rest[j] == '-')) ++j;
    size_t k = j;
    while (j < rest.size() && is_digit(rest[j])) ++j;
    if (j == k) bad("an exponent without digits");
  }
  bool decimal = j < rest.size() && rest[j] == 'M';
  if (decimal) ++j;
  if (j != rest.size() || (!fraction && !exponent && !decimal)) bad("not a number");
  if (digits.size() > 1 && digits[0] == '0') bad("a number with a leading zero");
  std::string text(tok.substr(tok[0] == '+' ? 1 : 0, tok.size() - (tok[0] == '+' ? 1 : 0) - (decimal ? 1 : 0)));
  double v = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ptr != text.data() + text.size()) bad("not a number");
  if (r.ec == std::errc::result_out_of_range) {
    // Too small rounds to zero; too large is Clojure's infinity.
    bool huge = text.find_first_of("123456789", 0) < text.find_first_of("eE") &&
                text.find("e-") == std::string::npos && text.find("E-") == std::string::npos;
    if (huge) return negative ? "##-Inf" : "##Inf";
    return negative ? -0.0 : 0.0;
  }
  return v;
}

nlohmann::json parse_edn(std::string_view text, size_t first_line) {
  EdnReader r(text, first_line);
  if (r.at_end()) r.fail("no value");
  nlohmann::json v = r.read();
  if (!r.at_end()) r.fail("more than one value");
  return v;
}

}  // namespace eclat
