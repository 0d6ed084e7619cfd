#include "core/flags.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <filesystem>
#include <regex>

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

std::vector<std::string> split_flag_values(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& a : args) {
    const size_t eq = a.find('=');
    if (a.rfind("--", 0) == 0 && eq != std::string::npos && eq > 2) {
      out.push_back(a.substr(0, eq));
      out.push_back(a.substr(eq + 1));
    } else {
      out.push_back(a);
    }
  }
  return out;
}

namespace {
// Optimal string alignment distance: a swap of two neighbours is one edit
// ("--tiem-limit").
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}
}  // namespace

std::string closest_name(std::string_view given, const std::vector<std::string>& known) {
  std::string best;
  size_t best_d = std::max<size_t>(2, given.size() / 4) + 1;  // more edits than that: a different word
  for (const auto& k : known) {
    const size_t d = edit_distance(given, k);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return best;
}

BadInput unknown_flag(const std::string& flag, std::string_view usage, const std::string& command) {
  std::vector<std::string> flags;
  static const std::regex kFlag("--[a-z][a-z0-9-]*");
  const std::string text(usage);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kFlag); it != std::sregex_iterator(); ++it)
    flags.push_back(it->str());
  const std::string near = closest_name(flag, flags);
  return BadInput("unknown flag \"" + flag + "\" (" + (near.empty() ? "" : "did you mean " + near + "? ") + "see eclat " +
                  command + " --help)");
}

}  // namespace eclat
