// The one gate between a request and the file system: a path a browser asks
// for (already percent-decoded once by the HTTP library) is resolved under
// the results root or refused. Refused: an absolute path, a ".." or "."
// segment, a backslash, a NUL or other control character, and anything whose
// real path (symlinks followed) is outside the root. A symlink inside the
// results pointing inside them (`latest`) is followed; one pointing out is
// refused like "..".
#pragma once
#include <filesystem>
#include <optional>
#include <string_view>

namespace eclat::serve {

enum class PathRefusal { none, forbidden, missing };

struct ResolvedPath {
  std::filesystem::path path;  // canonical, inside the root (when refusal is none)
  PathRefusal refusal = PathRefusal::none;
};

// `root` must be canonical. An empty `relative` is the root itself.
ResolvedPath resolve_under(const std::filesystem::path& root, std::string_view relative);

}  // namespace eclat::serve
