// Where Éclat's own binaries are: beside the eclat executable (the build root),
// unless ECLAT_BIN_DIR says otherwise (tests running from elsewhere).
#pragma once
#include <filesystem>

namespace eclat {
std::filesystem::path binary_dir();
}
