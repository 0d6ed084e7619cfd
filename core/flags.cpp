#include "core/flags.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

namespace eclat {

void refuse_invalid_utf8(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    try {
      (void)nlohmann::json(args[i]).dump();
    } catch (const nlohmann::json::exception&) {
      throw BadInput("argument " + std::to_string(i + 1) + " is not valid UTF-8");
    }
  }
}

void check_writable_dir(const std::string& path, const std::string& flag) {
  if (path.empty()) throw BadInput(flag + ": empty path");
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  while (!p.empty() && !fs::exists(fs::symlink_status(p, ec)) && p != p.parent_path()) p = p.parent_path();
  if (!fs::is_directory(p, ec)) throw BadInput(flag + " " + path + ": " + p.string() + " is not a directory");
  if (::access(p.c_str(), W_OK | X_OK) != 0)
    throw BadInput(flag + " " + path + ": " + p.string() + " is not writable: " + strerror(errno));
}

}  // namespace eclat
