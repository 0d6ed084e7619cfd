// History formats the linearizability checker reads, all turned into Éclat's
// own operations (history/history.hpp) so that one pipeline checks them:
//   jsonl          Éclat's JSON Lines (history.jsonl)
//   edn            Jepsen EDN (history/edn_reader.hpp): operation maps or
//                  records (#jepsen.history.Op{...}), in a sequence, a
//                  vector or a list, with comments and discards anywhere
//   porcupine-log  the Jepsen etcd text logs Porcupine tests with:
//                  INFO  jepsen.util - <process> :<type> :<f> <value>
// Semantics (they decide the verdicts):
//   - Éclat and EDN: `fail` did not happen (as in Knossos); `info` may have
//     happened at any time after its invocation.
//   - etcd logs: `:fail :cas [a b]` is a compare that ran and found another
//     value: it becomes an `ok` cas whose value is `false` (Éclat's encoding
//     of a lost compare). A `:fail` whose value is `:timed-out` (reads) has an
//     unknown result: it becomes `info`. Any other `:fail` did not happen.
// A malformed file throws BadInput naming file:line (EDN: file:line:column).
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "history/history.hpp"

namespace eclat::lin {

enum class HistoryFormat { jsonl, edn, porcupine_log };

const char* to_string(HistoryFormat f);
HistoryFormat history_format_from_string(const std::string& s);  // throws BadInput

// Guesses the format from the content (the first significant line).
HistoryFormat detect_format(std::string_view content);

ReadResult parse_edn_history(std::string_view content, const std::string& name);
ReadResult parse_porcupine_log(std::string_view content, const std::string& name);
ReadResult parse_any_history(std::string_view content, const std::string& name,
                             std::optional<HistoryFormat> format = std::nullopt);

// Reads a file in the given format, or the detected one (mapped, not copied).
ReadResult read_any_history(const std::filesystem::path& path,
                            std::optional<HistoryFormat> format = std::nullopt);

}  // namespace eclat::lin
