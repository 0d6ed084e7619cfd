// libFuzzer target for the set checker's own reader (checker/set_history.*):
// read_set_history maps a history file and streams its adds and reads
// through the fast path (FastOpParser::parse_set) or nlohmann, straight into
// element ids. The input is written as the history file (in a directory made
// once, removed at exit) and read back; then every element's value is asked
// for, as the checker's report does. Any exception other than BadInput is a
// bug, as is a crash, a hang or a huge allocation.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "checker/set_history.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"

namespace {

std::filesystem::path history_file() {
  static const std::filesystem::path file = [] {
    eclat::log::set_stderr_level(eclat::log::Level::error);  // no "last line cut short" per input
    const char* tmp = std::getenv("TMPDIR");
    std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/fuzz_set_history.XXXXXX";
    if (!mkdtemp(dir.data())) {
      std::perror("mkdtemp");
      std::abort();
    }
    static std::string made = dir;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(made, ec);
    });
    return std::filesystem::path(dir) / "history.jsonl";
  }();
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::filesystem::path path = history_file();
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(data, 1, size, f) != size || std::fclose(f) != 0) {
    std::perror("writing the history");
    std::abort();
  }
  try {
    eclat::SetHistory h = eclat::read_set_history(path);
    const size_t n = std::min<size_t>(h.elements.size(), 4096);
    for (uint32_t id = 0; id < n; ++id) (void)h.elements.value(id);
    for (const auto& r : h.reads)  // every read's span lies in items, every item is an element
      for (size_t i = r.begin; i < r.end; ++i)
        if (h.items.at(i) >= h.elements.size()) std::abort();
  } catch (const eclat::BadInput&) {
  }
  return 0;
}
