// A reader for EDN (github.com/edn-format/edn), the data syntax of Clojure in
// which Jepsen and Knossos write histories. It reads one value at a time
// from text it does not copy (a mapped file), so a 1 GB history never
// becomes one document: the history reader takes operation after operation.
//
// Values become JSON, which is what the rest of Éclat speaks:
//   nil -> null; true / false -> booleans; strings -> strings;
//   characters (\a \newline \u00e9) -> a one-character string;
//   keywords -> their name without the colon (":ns/name" -> "ns/name");
//   symbols -> their name; so :ok, ok and "ok" are the same value here;
//   integers (with or without N, and Clojure's hexadecimal 0x1f) ->
//   integers; beyond 64 bits -> the digits
//   as a string, compared exactly as text;
//   floats (with or without M) -> doubles (M's exact decimals are rounded);
//   ratios -> reduced, as Clojure does: 4/2 -> 2, 2/4 -> the string "1/2";
//   ##Inf, ##-Inf, ##NaN -> the strings "##Inf", "##-Inf", "##NaN";
//   lists and vectors -> arrays; sets -> arrays in a canonical order (by
//   their JSON text), so equal sets are equal values; a repeated element is
//   an error, as in Clojure;
//   maps -> objects; a key is its string / keyword / symbol name, any other
//   key its JSON text; a repeated key is an error; #:ns{:a 1} -> {"ns/a": 1};
//   #inst "..." and #uuid "..." -> their string;
//   a record (#ns.Name{...}, Jepsen's #jepsen.history.Op{...}) -> its map;
//   any other tagged value #tag v -> {"#tag": v}, carried through (the EDN
//   export prints it back as #tag v).
// `;` comments, commas and `#_` discards may appear anywhere whitespace may.
// Clojure syntax that is not EDN (quote, deref, metadata, regex, anonymous
// functions) is refused by name. Errors carry the line and column (1-based;
// the column counts bytes). Nesting is bounded so that hostile input cannot
// overflow the stack.
#pragma once
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace eclat {

struct EdnError : std::runtime_error {
  EdnError(size_t line, size_t column, const std::string& message)
      : std::runtime_error(std::to_string(line) + ":" + std::to_string(column) + ": " + message),
        line(line), column(column), message(message) {}
  size_t line, column;
  std::string message;  // without the position
};

class EdnReader {
 public:
  // `first_line` is the line number of text[0] in its file (for messages).
  explicit EdnReader(std::string_view text, size_t first_line = 1) : s_(text), line_(first_line) {}

  // Skips whitespace, commas, comments and discarded forms; true when
  // nothing is left.
  bool at_end();
  // Reads the next value. Throws EdnError.
  nlohmann::json read();

  // For readers that take a collection apart without building it (the
  // history reader reads an operation map entry by entry):
  // After at_end() returned false: the next significant character (NUL at
  // the end).
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  // Consumes `open` ('[', '(' or '{'), which must be next.
  void open(char open);
  // Skips to the next form; true, after consuming it, when `close` is next.
  // Throws at the end of the input or at another closing bracket.
  bool closes(char close, const char* what);
  // A tag (#name) next: consumes and returns it (a view of the text). Not
  // a set, a discard or ##Inf.
  std::optional<std::string_view> read_tag();
  // A plain keyword next (:name, :ns/name): consumes it and returns its name
  // without the colon, a view of the text (no allocation: the history
  // reader reads millions of them). Anything else: nullopt, nothing consumed.
  std::optional<std::string_view> read_keyword();
  // Throws an EdnError at the current position.
  [[noreturn]] void fail(const std::string& message) const;

  size_t line() const { return line_; }
  size_t column() const { return pos_ - line_start_ + 1; }

 private:
  nlohmann::json read_value(int depth);
  nlohmann::json read_collection(char close, const char* what, int depth);
  nlohmann::json read_set(int depth);
  nlohmann::json read_map(int depth, const std::string& ns);
  nlohmann::json read_dispatch(int depth);
  nlohmann::json read_string();
  nlohmann::json read_char();
  nlohmann::json read_atom();
  nlohmann::json read_number(std::string_view tok);
  std::string_view token();
  void skip_space(int depth);
  void expect_more(const char* what, int depth);
  [[noreturn]] void fail_at(size_t line, size_t column, const std::string& message) const;

  std::string_view s_;
  size_t pos_ = 0;
  size_t line_;
  size_t line_start_ = 0;  // position of the current line's first byte
};

// Reads exactly one EDN value from `text` (surrounding whitespace allowed).
nlohmann::json parse_edn(std::string_view text, size_t first_line = 1);

}  // namespace eclat
