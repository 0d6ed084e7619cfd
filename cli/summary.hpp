// The short human summary printed at the end of a run or a check.
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>

namespace eclat {
// `where`: the directory results.json was written into (empty: nowhere, and
// no "results:" line claims one); `checked`: the history a re-check read.
void print_summary(const nlohmann::json& results, const std::filesystem::path& where,
                   const std::filesystem::path& checked = {});
}
