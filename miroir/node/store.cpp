#include "miroir/node/store.hpp"

namespace miroir::node {

const char* to_string(TaskStatus s) {
  switch (s) {
    case TaskStatus::enqueued: return "enqueued";
    case TaskStatus::processing: return "processing";
    case TaskStatus::succeeded: return "succeeded";
    case TaskStatus::failed: return "failed";
    case TaskStatus::unknown: break;
  }
  return "unknown";
}

}  // namespace miroir::node
