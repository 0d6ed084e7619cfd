// The short human summary printed at the end of a run or a check.
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>

namespace eclat {
void print_summary(const nlohmann::json& results, const std::filesystem::path& where);
}
