// After the final heal, check that it worked instead of trusting it: every
// host reaches every other one again (real TCP connects, see
// cluster/connectivity.hpp), no node process is paused or down, and every
// clock a clock fault could have moved reads the control process's time
// again (within 250 ms, where the system reports its nodes' clocks). The run
// records the result as a nemesis "check-healed" operation, and a run whose
// lab is not healed cannot be judged valid.
#pragma once
#include <nlohmann/json.hpp>

#include "nemesis/fault.hpp"

namespace eclat {

// {"healed": bool, "broken_links": [[from, to]...], "paused": [...],
//  "down": [...], "clock_offsets_ms": {node: ms}, "clocks_off": [...]}
nlohmann::json check_healed(NemesisContext& ctx);

}  // namespace eclat
