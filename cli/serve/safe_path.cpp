#include "cli/serve/safe_path.hpp"

#include <system_error>

namespace eclat::serve {

namespace fs = std::filesystem;

ResolvedPath resolve_under(const fs::path& root, std::string_view relative) {
  ResolvedPath r;
  if (!relative.empty() && relative.front() == '/') return {{}, PathRefusal::forbidden};
  // Segment by segment, before the file system is asked anything: a
  // refused form never reaches a stat() that could tell it apart.
  size_t start = 0;
  while (start <= relative.size()) {
    size_t end = relative.find('/', start);
    if (end == std::string_view::npos) end = relative.size();
    const std::string_view seg = relative.substr(start, end - start);
    if (seg == ".." || seg == ".") return {{}, PathRefusal::forbidden};
    for (unsigned char c : seg)
      if (c < 0x20 || c == 0x7f || c == '\\') return {{}, PathRefusal::forbidden};
    start = end + 1;
  }
  std::error_code ec;
  const fs::path real = fs::canonical(root / fs::path(std::string(relative)), ec);
  if (ec) return {{}, PathRefusal::missing};
  // Inside means the root itself or below it: compare whole segments, so
  // that /results-other is not "inside" /results.
  auto r_it = root.begin();
  auto p_it = real.begin();
  for (; r_it != root.end(); ++r_it, ++p_it)
    if (p_it == real.end() || *p_it != *r_it) return {{}, PathRefusal::forbidden};
  r.path = real;
  return r;
}

}  // namespace eclat::serve
