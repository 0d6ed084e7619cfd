// A small EDN reader (the data syntax of Clojure, in which Jepsen writes its
// histories). It reads one value into JSON, which is what the rest of the
// checker speaks: keywords and symbols become strings without their colon,
// nil becomes null, vectors, lists and sets become arrays, maps become
// objects whose keys are the printed form of the EDN key, tagged literals
// (#inst "...", #jepsen.history.Op{...}) become the value they tag.
// Errors name the line; nesting is bounded so that hostile input cannot
// overflow the stack.
#pragma once
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace eclat::lin {

struct EdnError : std::runtime_error {
  EdnError(size_t line, const std::string& what)
      : std::runtime_error("line " + std::to_string(line) + ": " + what), line(line) {}
  size_t line;
};

class EdnReader {
 public:
  // `first_line` is the line number of text[0] in its file (for messages).
  explicit EdnReader(std::string_view text, size_t first_line = 1)
      : s_(text), line_(first_line) {}

  // Skips whitespace, commas and comments; true when nothing is left.
  bool at_end();
  // Reads the next value. Throws EdnError.
  nlohmann::json read();
  size_t line() const { return line_; }
  // Peeks the next significant character (after at_end() returned false).
  char peek() const { return s_[pos_]; }
  void skip_char() { ++pos_; }

 private:
  nlohmann::json read_value(int depth);
  nlohmann::json read_string();
  nlohmann::json read_atom();
  nlohmann::json read_char();
  void expect_more(const char* what);

  std::string_view s_;
  size_t pos_ = 0;
  size_t line_;
};

// Reads exactly one EDN value from `text` (trailing whitespace allowed).
nlohmann::json parse_edn(std::string_view text, size_t first_line = 1);

}  // namespace eclat::lin
