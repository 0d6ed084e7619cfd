// JSON that a user hands Éclat (a scenario, a run directory's files, a
// history line) is parsed strictly:
//   - nesting is bounded: a value nested 50 000 deep parses (nlohmann's
//     parser keeps its own stack) but every later walk of it (dump, compare,
//     copy) recurses and blows the stack;
//   - a key given twice in one object is refused ({"seed": 1, "seed": 2}:
//     which one was meant is not ours to guess; nlohmann keeps the last);
//   - errors say where: line and column when the parser knows them, else the
//     key whose value was being read; the offending text is cut short.
#pragma once
#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace eclat {

inline constexpr int kMaxJsonDepth = 128;

// A malformed text: `where` is "LINE:COLUMN" when known (else empty),
// what() the reason.
class JsonInputError : public std::invalid_argument {
 public:
  JsonInputError(std::string where, const std::string& why) : std::invalid_argument(why), where(std::move(where)) {}
  std::string where;
};

// Throws JsonInputError.
nlohmann::json parse_bounded_json(std::string_view text, int max_depth = kMaxJsonDepth);

// A whole file of at most max_bytes: BadInput "<file>[:LINE:COLUMN]: ..."
// for a missing, oversized, malformed or too deeply nested one.
nlohmann::json read_json_file(const std::filesystem::path& file, size_t max_bytes = size_t{16} << 20,
                              int max_depth = kMaxJsonDepth);

}  // namespace eclat
