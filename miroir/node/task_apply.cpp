#include "miroir/node/task_apply.hpp"

#include <nlohmann/json.hpp>

#include "miroir/node/document_check.hpp"

namespace miroir::node {

std::string merge_documents(const std::string& stored, const std::string& update) {
  // ordered_json: the stored field order survives, so a merged document reads
  // back like the one written, with new fields at the end.
  auto base = nlohmann::ordered_json::parse(stored, nullptr, /*allow_exceptions=*/false);
  auto upd = nlohmann::ordered_json::parse(update, nullptr, /*allow_exceptions=*/false);
  if (!base.is_object() || !upd.is_object()) return update;
  for (auto& [key, value] : upd.items()) base[key] = value;
  return base.dump();
}

std::string apply_task(const NodeTask& task, DocumentWriter& docs) {
  switch (task.kind_case()) {
    case NodeTask::kWrite: {
      const NodeWriteRequest& w = task.write();
      CheckedTask checked = check_write(w);
      if (!checked.error.empty()) return checked.error;
      for (const auto& d : checked.documents) {
        if (w.merge()) {
          auto old = docs.get(w.index(), d.id);
          docs.put(w.index(), d.id, old ? merge_documents(*old, d.json) : d.json, d.shard);
        } else {
          docs.put(w.index(), d.id, d.json, d.shard);
        }
      }
      return {};
    }
    case NodeTask::kDeleteDocuments: {
      const NodeDeleteRequest& del = task.delete_documents();
      if (auto e = check_delete(del); !e.empty()) return e;
      for (const auto& id : del.ids()) docs.erase(del.index(), id);
      return {};
    }
    case NodeTask::kDeleteShard: {
      const NodeDeleteShardRequest& del = task.delete_shard();
      if (auto e = check_index(del.index()); !e.empty()) return e;
      for (const auto& id : docs.ids_of_shard(del.index(), del.shard())) docs.erase(del.index(), id);
      return {};
    }
    case NodeTask::KIND_NOT_SET: break;
  }
  return "unreadable task";
}

size_t task_weight(const NodeTask& task) {
  switch (task.kind_case()) {
    case NodeTask::kWrite: return static_cast<size_t>(task.write().documents_size());
    case NodeTask::kDeleteDocuments: return static_cast<size_t>(task.delete_documents().ids_size());
    default: return 1;
  }
}

}  // namespace miroir::node
