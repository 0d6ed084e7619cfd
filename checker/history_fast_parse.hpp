// The fast path for reading histories: simdjson (Debian's libsimdjson) parses
// a line of the documented shape straight into an Op. Anything it does not
// take (malformed JSON, an unexpected field type) returns false and the caller
// falls back to nlohmann::json, which gives the precise error message. The two
// paths must agree on every line the fast one accepts (tested).
#pragma once
#include <string>
#include <string_view>

#include "checker/history.hpp"

namespace eclat {

class FastOpParser {
 public:
  FastOpParser();
  ~FastOpParser();
  // Parses one line (no newline). False: use the slow path.
  bool parse(std::string_view line, Op& out);

 private:
  struct Impl;
  Impl* impl_;
  std::string buffer_;  // the line, padded as simdjson needs
};

}  // namespace eclat
