#include "core/paths.hpp"

#include <cstdlib>

namespace eclat {
std::filesystem::path binary_dir() {
  if (const char* env = std::getenv("ECLAT_BIN_DIR"); env && *env) return env;
  static const std::filesystem::path dir =
      std::filesystem::read_symlink("/proc/self/exe").parent_path();
  return dir;
}
}  // namespace eclat
