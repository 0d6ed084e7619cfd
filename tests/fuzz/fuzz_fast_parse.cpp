// libFuzzer target for the JSON Lines fast path (history/fast_parse.*,
// simdjson) on its own, line by line as parse_history and read_set_history
// feed it, against the slow path (nlohmann::json and Op::from_json).
// fast_parse.hpp's contract is checked, each breach aborts naming it:
//   - a line FastOpParser::parse accepts, the slow path accepts too, with
//     the same operation (type, process, f, key, value, index, time, error);
//   - parse_set accepts exactly the lines parse accepts, with the same
//     fields, and its SetValue is the value's (an int64, or items each an
//     int64 or the canonical JSON text of the item);
//   - parse_set in place (the line followed by more bytes, as in a mapped
//     file) and copied give the same result.
// Any exception escaping the fast path is a bug too (it must return false).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "history/fast_parse.hpp"
#include "history/history.hpp"

namespace {

constexpr size_t kPadding = 64;  // simdjson::SIMDJSON_PADDING

[[noreturn]] void breach(const char* what, std::string_view line) {
  std::fprintf(stderr, "fast_parse contract broken: %s\n  line: %.*s\n", what, static_cast<int>(line.size()),
               line.data());
  std::abort();
}

bool same_fields(const eclat::Op& a, const eclat::Op& b) {
  return a.type == b.type && a.process == b.process && a.f == b.f && a.key == b.key && a.index == b.index &&
         a.time == b.time && a.error == b.error;
}

// The SetValue parse_set made against the JSON value parse made of the same line.
bool same_value(const nlohmann::json& v, const eclat::SetValue& s) {
  const auto is_int64 = [](const nlohmann::json& x) { return x.is_number_integer() && !x.is_number_unsigned(); };
  switch (s.kind) {
    case eclat::SetValue::null: return v.is_null();
    case eclat::SetValue::integer: return is_int64(v) && v.get<int64_t>() == s.integer_value;
    case eclat::SetValue::other: return !v.is_null() && !v.is_array() && !is_int64(v) && v.dump() == s.text;
    case eclat::SetValue::array:
      if (!v.is_array() || v.size() != s.items.size()) return false;
      for (size_t i = 0; i < s.items.size(); ++i) {
        const auto& item = s.items[i];
        if (item.text < 0) {
          if (!is_int64(v[i]) || v[i].get<int64_t>() != item.integer) return false;
        } else {
          if (static_cast<size_t>(item.text) >= s.texts.size() || is_int64(v[i]) ||
              s.texts[static_cast<size_t>(item.text)] != v[i].dump())
            return false;
        }
      }
      return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace eclat;
  const std::string content(reinterpret_cast<const char*>(data), size);
  FastOpParser fast;
  size_t longest = 0;
  for (size_t pos = 0; pos < content.size();) {
    size_t end = content.find('\n', pos);
    if (end == std::string::npos) end = content.size();
    longest = std::max(longest, end - pos);
    pos = end + 1;
  }
  if (size % 2) fast.reserve(longest);  // both: sized up front (set-full) and grown line by line
  for (size_t pos = 0; pos < content.size();) {
    size_t end = content.find('\n', pos);
    if (end == std::string::npos) end = content.size();
    const std::string_view line(content.data() + pos, end - pos);
    pos = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;

    Op fast_op;
    const bool fast_ok = fast.parse(line, fast_op);
    if (fast_ok) {
      Op slow_op;
      try {
        slow_op = Op::from_json(nlohmann::json::parse(line));
      } catch (const std::exception& e) {
        std::fprintf(stderr, "slow path: %s\n", e.what());
        breach("the fast path accepts a line the slow path refuses", line);
      }
      if (!same_fields(fast_op, slow_op)) breach("the two paths read different fields", line);
      if (fast_op.value != slow_op.value) breach("the two paths read different values", line);
    }

    // parse_set, copied (nothing readable after the line).
    Op meta;
    SetValue value;
    const bool set_ok = fast.parse_set(line, 0, meta, value);
    if (set_ok != fast_ok) breach("parse_set and parse disagree on whether the line is taken", line);
    if (set_ok) {
      if (!same_fields(meta, fast_op)) breach("parse_set and parse read different fields", line);
      if (!same_value(fast_op.value, value)) breach("parse_set's SetValue is not parse's value", line);
    }

    // parse_set in place: the line followed by the rest of the input and
    // enough bytes that simdjson may read its padding from them.
    std::string mapped(line);
    mapped += content.substr(std::min(content.size(), end));
    mapped.append(kPadding, '\n');
    Op meta2;
    SetValue value2;
    const std::string_view in_place(mapped.data(), line.size());
    const bool set2_ok = fast.parse_set(in_place, mapped.size() - line.size(), meta2, value2);
    if (set2_ok != set_ok) breach("parse_set in place and copied disagree on whether the line is taken", line);
    if (set2_ok && (!same_fields(meta2, meta) || !same_value(fast_op.value, value2)))
      breach("parse_set in place and copied read different operations", line);
  }
  return 0;
}
