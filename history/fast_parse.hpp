// The fast path for reading histories: simdjson (Debian's libsimdjson) parses
// a line of the documented shape straight into an Op. Anything it does not
// take (malformed JSON, an unexpected field type) returns false and the caller
// falls back to nlohmann::json, which gives the precise error message. The two
// paths must agree on every line the fast one accepts (tested).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "history/history.hpp"

namespace eclat {

// An operation's value as set-full needs it, without a JSON DOM: an
// integer, or an array of items, each an integer or (rarely) the canonical
// JSON text (nlohmann's dump) of anything else; `other` for any other shape.
struct SetValue {
  enum Kind { null, integer, array, other } kind = null;
  int64_t integer_value = 0;
  std::string text;  // kind other: the canonical JSON text
  struct Item {
    int64_t integer;
    int32_t text = -1;  // index into texts when not an integer
  };
  std::vector<Item> items;
  std::vector<std::string> texts;
};

class FastOpParser {
 public:
  FastOpParser();
  ~FastOpParser();
  // Parses one line (no newline). False: use the slow path.
  bool parse(std::string_view line, Op& out);
  // Sizes the parser for lines up to `bytes` at once: growing it read after
  // read (each bigger than the last) would touch fresh memory every time.
  void reserve(size_t bytes);
  // The same line, its value into `value` instead of out.value (left null).
  // Accepts exactly the lines parse() accepts. `readable_after`: bytes that
  // may be read past the line (a mapped file's next lines); with enough of
  // them the line is parsed in place, not copied.
  bool parse_set(std::string_view line, size_t readable_after, Op& out, SetValue& value);

 private:
  template <class OnValue>  // defined and instantiated in the .cpp only
  bool parse_with(std::string_view line, bool padded, Op& out, OnValue&& on_value);
  struct Impl;
  Impl* impl_;
  std::string buffer_;  // the line, padded as simdjson needs
};

}  // namespace eclat
