// JSON files a run writes for others to read while it runs (results.json,
// scenario.json, progress.json): written whole to a temporary beside the file
// and renamed over it, so a reader (eclat serve, eclat check, a CI script)
// sees the old content or the new, never half of one.
#pragma once
#include <filesystem>

#include <nlohmann/json.hpp>

namespace eclat {

// Throws HarnessError when the file cannot be written.
void write_json_file(const std::filesystem::path& file, const nlohmann::json& j, int indent = 2);

}  // namespace eclat
