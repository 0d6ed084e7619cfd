// libFuzzer target for the EDN reader (history/edn_reader.*) and the Jepsen
// EDN history reader built on it. Findings: any exception other than
// EdnError (parse_edn) or BadInput (the history reader), a crash, a hang;
// and a broken round trip: a value read, written back by the EDN export
// (history/edn_export.*) and read again must be the same value, so what
// `eclat export` writes, `eclat check` reads as it was.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string_view>

#include "checker/linearizability/formats.hpp"
#include "core/errors.hpp"
#include "history/edn_export.hpp"
#include "history/edn_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace eclat;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  nlohmann::json v;
  bool read = false;
  try {
    v = parse_edn(text);
    read = true;
  } catch (const EdnError&) {
  }
  if (read) {
    const std::string printed = to_edn(v);
    nlohmann::json again;
    try {
      again = parse_edn(printed);
    } catch (const EdnError& e) {
      fprintf(stderr, "the export of a value does not read back: %s\n  %s\n", e.what(), printed.c_str());
      abort();
    }
    if (again != v) {
      fprintf(stderr, "round trip changed the value:\n  %s\n  %s\n", v.dump().c_str(), again.dump().c_str());
      abort();
    }
  }
  try {
    lin::parse_edn_history(text, "fuzz");
  } catch (const BadInput&) {
  }
  return 0;
}
