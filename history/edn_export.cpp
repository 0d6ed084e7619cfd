#include "history/edn_export.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace eclat {
namespace {

// Characters a keyword may hold past its first (EDN's symbol characters).
bool keyword_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("*+!-_?<>=./").find(c) != std::string_view::npos;
}

// A name that reads back as the same keyword: starts with a letter or one of
// * ! _ ? < > = (not a digit, not '.', '+', '-' that could read as a number),
// and holds only symbol characters, at most one '/' not at either end.
bool valid_keyword(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '.' || s[0] == '/' ||
      s[0] == '+' || s[0] == '-' || s[0] == ':')
    return false;
  if (s.back() == '/' || std::count(s.begin(), s.end(), '/') > 1) return false;
  for (char c : s)
    if (!keyword_char(c)) return false;
  return s != "nil" && s != "true" && s != "false";
}

void put_string(std::string& out, const std::string& s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void put(std::string& out, const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded: out += "nil"; break;
    case nlohmann::json::value_t::string: put_string(out, v.get_ref<const std::string&>()); break;
    case nlohmann::json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += ' ';
        first = false;
        put(out, e);
      }
      out += ']';
      break;
    }
    case nlohmann::json::value_t::object: {
      // A tagged value the EDN reader carried through ({"#tag": v}) prints
      // back as #tag v, when reading that gives the same object again.
      if (v.size() == 1) {
        const std::string& k = v.begin().key();
        const std::string tag = k.substr(k.empty() ? 0 : 1);
        bool record = tag.find('.') != std::string::npos && v.begin()->is_object();
        if (k.size() > 1 && k[0] == '#' && std::isalpha(static_cast<unsigned char>(tag[0])) &&
            valid_keyword(tag) && tag != "inst" && tag != "uuid" && !record) {
          out += k + ' ';
          put(out, *v.begin());
          break;
        }
      }
      out += '{';
      bool first = true;
      for (const auto& [k, e] : v.items()) {
        if (!first) out += ", ";
        first = false;
        if (valid_keyword(k)) out += ":" + k;
        else put_string(out, k);
        out += ' ';
        put(out, e);
      }
      out += '}';
      break;
    }
    case nlohmann::json::value_t::binary: put_string(out, v.dump()); break;
    default: out += v.dump(); break;  // numbers and booleans print the same in EDN
  }
}

}  // namespace

std::string to_edn(const nlohmann::json& v) {
  std::string out;
  put(out, v);
  return out;
}

std::string op_to_edn(const Op& op) {
  std::string out = "{:index " + std::to_string(op.index) + ", :type :" + to_string(op.type) + ", :process ";
  out += op.is_nemesis() ? ":nemesis" : std::to_string(op.process);
  out += ", :f ";
  if (valid_keyword(op.f)) out += ":" + op.f;
  else put_string(out, op.f);
  if (op.key) {
    out += ", :key ";
    put_string(out, *op.key);
  }
  out += ", :value ";
  put(out, op.value);
  out += ", :time " + std::to_string(op.time);
  if (!op.error.empty()) {
    out += ", :error ";
    put_string(out, op.error);
  }
  out += '}';
  return out;
}

void write_edn_history(const History& history, std::ostream& out) {
  for (const Op& op : history) out << op_to_edn(op) << '\n';
}

}  // namespace eclat
