// What makes a task applicable: every document is a JSON object carrying an
// unsigned integer `_miroir_shard` (the orchestrator injects it; a document
// without it is refused, failing its whole task like Meilisearch fails a
// batch), and keys fit LMDB's 511-byte key limit (for deletes too: an
// over-long id would make LMDB throw, retrying the batch forever). Pure
// functions, shared by both stores, so the durable store and the bug-mode
// store fail the same tasks.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "miroir.pb.h"

namespace miroir::node {

inline constexpr size_t kMaxIndexBytes = 64;
inline constexpr size_t kMaxIdBytes = 400;  // index ‖ 0 ‖ be32 ‖ id stays under 511

struct CheckedDocument {
  std::string id;
  std::string json;
  uint32_t shard = 0;
};

// Empty string when the index name is acceptable, else why not.
std::string check_index(const std::string& index);

// The documents of the task with their shard, or the error that fails the task.
struct CheckedTask {
  std::vector<CheckedDocument> documents;
  std::string error;  // non-empty: the task fails, nothing is applied
};
CheckedTask check_write(const NodeWriteRequest& request);

// Empty string when a delete by id list is applicable, else why not.
std::string check_delete(const NodeDeleteRequest& request);

// `_miroir_shard` of a stored document (stores need the old shard on replace).
std::optional<uint32_t> shard_of_json(const std::string& json);

}  // namespace miroir::node
