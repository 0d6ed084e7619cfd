// What applying one queued task does to the documents, written once against
// a tiny document interface that each store implements over its own
// transaction (LMDB) or maps (memory). Sharing it is what keeps the durable
// store and the ack-before-durable store in identical states, task for task.
//
//   write, merge=false  add-or-replace: the stored document becomes this one.
//   write, merge=true   add-or-update: top-level fields of the new document
//                       replace or extend those of the stored one (field
//                       order kept, new fields appended); absent = insert.
//                       `_miroir_shard` comes from the new document.
//   delete_documents    by id list; ids not stored here are no-ops.
//   delete_shard        every document whose `_miroir_shard` is N.
//
// A task that fails (see document_check.hpp) writes nothing.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "miroir.pb.h"

namespace miroir::node {

class DocumentWriter {
 public:
  virtual ~DocumentWriter() = default;
  virtual std::optional<std::string> get(const std::string& index, const std::string& id) = 0;
  // Stores `json` as the document, dropping any previous copy whatever its shard.
  virtual void put(const std::string& index, const std::string& id, const std::string& json,
                   uint32_t shard) = 0;
  virtual void erase(const std::string& index, const std::string& id) = 0;
  virtual std::vector<std::string> ids_of_shard(const std::string& index, uint32_t shard) = 0;
};

// Empty when applied; otherwise why the task failed (nothing was written).
std::string apply_task(const NodeTask& task, DocumentWriter& docs);

// What a task counts toward a batch's document budget: its documents or ids;
// a shard deletion counts 1 (its size is unknown until applied).
size_t task_weight(const NodeTask& task);

// The add-or-update result of `update` over `stored` (both JSON object text).
std::string merge_documents(const std::string& stored, const std::string& update);

}  // namespace miroir::node
