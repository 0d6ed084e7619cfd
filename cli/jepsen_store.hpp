// A Jepsen store directory (store/<test>/<time>/) holds history.edn and
// results.edn, Jepsen's own analysis. `eclat check` of such a directory
// shows Jepsen's verdict beside its own, so a user sees at once whether the
// two tools agree.
#pragma once
#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

namespace eclat {

// {"valid": true | false | "unknown", "file": ".../results.edn"} from the
// results.edn beside `history_file`, when there is one and it says :valid?.
// A results.edn that cannot be read gives {"file", "error"}: a broken
// analysis file is not the history's fault, so it never stops the check.
std::optional<nlohmann::json> jepsen_verdict(const std::filesystem::path& history_file);

}  // namespace eclat
