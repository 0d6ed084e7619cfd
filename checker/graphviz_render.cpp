#include "checker/graphviz_render.hpp"

#include <gvc.h>

#include <cstdlib>
#include <mutex>

namespace eclat {
namespace {

std::string last_error() {
  char* e = aglasterr();  // malloc'ed by Graphviz (2.42), or null
  std::string s = e ? e : "no message";
  free(e);
  return s;
}

}  // namespace

bool render_dot_svg(const std::string& dot, const char* engine, const std::filesystem::path& out,
                    std::string& error) {
  // One Graphviz context for the whole process, never freed, used by one
  // drawing at a time (Graphviz keeps global state: its error buffer, the
  // graph id discipline). A context per drawing is what Graphviz 2.42 cannot
  // take: its pango plugin keeps a pointer to the last font name, which lives
  // in the context's font dictionary; freeing the context left that pointer
  // dangling and the next drawing read freed memory (the partition pictures
  // of an etcd run crashed `eclat check` with SIGSEGV, found by
  // AddressSanitizer).
  static std::mutex mu;
  static GVC_t* gvc = gvContext();
  std::lock_guard lock(mu);
  if (!gvc) {
    error = "gvContext failed";
    return false;
  }
  Agraph_t* g = agmemread(dot.c_str());
  if (!g) {
    error = "Graphviz did not read the graph: " + last_error();
    return false;
  }
  bool ok = gvLayout(gvc, g, engine) == 0;
  if (ok) ok = gvRenderFilename(gvc, g, "svg", out.c_str()) == 0;
  if (!ok) error = "Graphviz failed to lay out or write " + out.string() + ": " + last_error();
  gvFreeLayout(gvc, g);
  agclose(g);
  std::error_code ec;
  if (ok && (std::filesystem::file_size(out, ec) == 0 || ec)) {
    ok = false;
    error = "Graphviz wrote nothing to " + out.string();
  }
  return ok;
}

}  // namespace eclat
