#include "cli/jepsen_store.hpp"

#include "core/errors.hpp"
#include "history/edn_reader.hpp"
#include "history/mapped_file.hpp"

namespace eclat {

std::optional<nlohmann::json> jepsen_verdict(const std::filesystem::path& history_file) {
  namespace fs = std::filesystem;
  if (history_file.filename() != "history.edn") return std::nullopt;
  const fs::path file = history_file.parent_path() / "results.edn";
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return std::nullopt;
  nlohmann::json out = {{"file", file.string()}};
  try {
    MappedFile mapped(file);
    // Only the top-level :valid? matters; the rest (a checker's whole
    // analysis, possibly large) is read past entry by entry.
    EdnReader r(mapped.view());
    if (r.at_end() || r.peek() != '{') throw EdnError(r.line(), r.column(), "results.edn is not a map");
    r.open('{');
    while (!r.closes('}', "the results map")) {
      nlohmann::json k = r.read();
      nlohmann::json v = r.read();
      if (k == "valid?") {
        out["valid"] = v.is_boolean() ? v : nlohmann::json("unknown");
        return out;
      }
    }
    return std::nullopt;
  } catch (const EdnError& e) {
    out["error"] = file.string() + ":" + e.what();
  } catch (const BadInput& e) {
    out["error"] = e.what();
  }
  return out;
}

}  // namespace eclat
