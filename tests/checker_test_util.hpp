// Helpers shared by the checker tests: a tiny history language, and a
// temporary directory per test process for the `eclat check` tests.
#pragma once
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace checker_test {

namespace fs = std::filesystem;

// One operation per line: "<process> <type> <f> <value-json> [key]" (the
// value without spaces), as JSON Lines.
inline std::string jsonl(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    std::istringstream in(l);
    std::string p, type, f, value, key;
    in >> p >> type >> f >> value >> key;
    out += "{\"type\":\"" + type + "\",\"process\":" + p + ",\"f\":\"" + f + "\",\"value\":" + value +
           (key.empty() ? "" : ",\"key\":\"" + key + "\"") + "}\n";
  }
  return out;
}

// <tmp>/eclat_<tag>_<pid>, made empty, removed at the end.
class Tmp {
 public:
  explicit Tmp(const std::string& tag)
      : dir_(fs::temp_directory_path() / ("eclat_" + tag + "_" + std::to_string(getpid()))) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~Tmp() { fs::remove_all(dir_); }
  Tmp(const Tmp&) = delete;
  Tmp& operator=(const Tmp&) = delete;
  const fs::path& path() const { return dir_; }
  // Writes `text` to `name` under the directory (its folders made).
  fs::path write(const fs::path& name, const std::string& text) const {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }

 private:
  fs::path dir_;
};

}  // namespace checker_test
