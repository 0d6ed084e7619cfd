// libFuzzer target for the three history parsers (Éclat JSON Lines, Jepsen
// EDN, the etcd text logs), then pairing and, for small inputs, the whole
// check. The first byte picks the format. Any exception other than BadInput
// (what malformed input must give) is a bug, as is a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <string>

#include "checker/linearizability/formats.hpp"
#include "checker/linearizability/linearizable.hpp"
#include "core/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  using namespace eclat;
  using namespace eclat::lin;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::optional<HistoryFormat> format;
  switch (data[0] % 4) {
    case 0: format = HistoryFormat::jsonl; break;
    case 1: format = HistoryFormat::edn; break;
    case 2: format = HistoryFormat::porcupine_log; break;
    default: break;  // detected
  }
  try {
    ReadResult r = parse_any_history(text, "fuzz", format);
    std::vector<std::string> where;
    auto ops = pair_operations(r.history, r.lines, "fuzz", &where);
    if (ops.size() <= 12) {
      for (const char* model : {"cas-register", "kv", "multi-register", "register", "mutex", "fifo-queue",
                                "unordered-queue", "set"}) {
        try {
          validate_operations(ops, model, where);
        } catch (const BadInput&) {
          continue;
        }
        CheckOptions o;
        o.model = model;
        o.threads = 1;
        o.time_limit_s = 1;
        o.memory_limit = 64 << 20;
        o.shrink_time_s = 1;
        check_operations(ops, o, where);
      }
    }
  } catch (const BadInput&) {
  }
  return 0;
}
