#include "miroir/orchestrator/documents.hpp"

namespace miroir::orchestrator {

namespace {
// Keeps keys within the node's LMDB key limit (document_check.hpp).
constexpr size_t kMaxIdBytes = 400;

// The rules every primary key follows, written or deleted; "" when fine.
std::string id_problem(const std::string& id) {
  if (id.empty()) return "empty primary key";
  if (id.size() > kMaxIdBytes) return "primary key longer than " + std::to_string(kMaxIdBytes) + " bytes";
  return "";
}
}  // namespace

bool is_reserved_field(std::string_view key) { return key.rfind("_miroir_", 0) == 0; }

bool parse_client_document(const std::string& text, size_t position, ClientDocument* doc,
                           DocumentError* error) {
  auto fail = [&](const char* code, const std::string& why) {
    error->code = code;
    error->message = "document " + std::to_string(position) + ": " + why;
    return false;
  };
  auto body = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return fail("miroir_bad_document", "invalid JSON");
  if (!body.is_object()) return fail("miroir_bad_document", "not a JSON object");
  for (const auto& [key, value] : body.items())
    if (is_reserved_field(key))
      return fail("miroir_reserved_field", "field \"" + key + "\" is reserved for miroir");
  auto it = body.find(kPrimaryKey);
  if (it == body.end()) return fail("miroir_bad_document", "missing primary key \"id\"");
  std::string id;
  if (it->is_string()) {
    id = it->get<std::string>();
  } else if (it->is_number_unsigned()) {
    id = std::to_string(it->get<uint64_t>());
  } else if (it->is_number_integer()) {
    return fail("miroir_bad_document", "primary key must not be negative");
  } else {
    return fail("miroir_bad_document", "primary key must be a string or an integer");
  }
  if (auto why = id_problem(id); !why.empty()) return fail("miroir_bad_document", why);
  doc->id = std::move(id);
  doc->body = std::move(body);
  return true;
}

bool check_client_id(const std::string& id, size_t position, DocumentError* error) {
  auto why = id_problem(id);
  if (why.empty()) return true;
  error->code = "miroir_bad_document";
  error->message = "id " + std::to_string(position) + ": " + why;
  return false;
}

std::string stored_json(const ClientDocument& doc, uint32_t shard, std::optional<int64_t> updated_at) {
  nlohmann::ordered_json j = doc.body;
  j[kShardField] = shard;
  if (updated_at) j[kUpdatedAtField] = *updated_at;
  return j.dump();
}

std::string strip_reserved(const std::string& stored) {
  auto j = nlohmann::ordered_json::parse(stored, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return stored;
  for (auto it = j.begin(); it != j.end();) {
    if (is_reserved_field(it.key()))
      it = j.erase(it);
    else
      ++it;
  }
  return j.dump();
}

}  // namespace miroir::orchestrator
