#include "miroir/node/document_check.hpp"

#include <nlohmann/json.hpp>

namespace miroir::node {

namespace {
constexpr const char* kShardField = "_miroir_shard";

// Parses the document; on success fills shard, else returns the reason.
std::string read_shard(const std::string& json, uint32_t* shard) {
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return "invalid JSON";
  if (!doc.is_object()) return "not a JSON object";
  auto it = doc.find(kShardField);
  if (it == doc.end()) return std::string("missing ") + kShardField;
  if (!it->is_number_unsigned() || it->get<uint64_t>() > UINT32_MAX)
    return std::string(kShardField) + " must be a non-negative 32-bit integer";
  *shard = static_cast<uint32_t>(it->get<uint64_t>());
  return {};
}
}  // namespace

std::string check_index(const std::string& index) {
  if (index.empty()) return "index must not be empty";
  if (index.size() > kMaxIndexBytes)
    return "index longer than " + std::to_string(kMaxIndexBytes) + " bytes";
  if (index.find('\0') != std::string::npos) return "index must not contain NUL";
  return {};
}

CheckedTask check_write(const NodeWriteRequest& request) {
  CheckedTask out;
  if (auto e = check_index(request.index()); !e.empty()) {
    out.error = e;
    return out;
  }
  out.documents.reserve(request.documents_size());
  for (int i = 0; i < request.documents_size(); ++i) {
    const auto& d = request.documents(i);
    auto fail = [&](const std::string& why) {
      out.documents.clear();
      out.error = "document " + std::to_string(i) + " (id \"" + d.id().substr(0, 64) + "\"): " + why;
      return out;
    };
    if (d.id().empty()) return fail("empty primary key");
    if (d.id().size() > kMaxIdBytes)
      return fail("primary key longer than " + std::to_string(kMaxIdBytes) + " bytes");
    CheckedDocument c;
    if (auto e = read_shard(d.json(), &c.shard); !e.empty()) return fail(e);
    c.id = d.id();
    c.json = d.json();
    out.documents.push_back(std::move(c));
  }
  return out;
}

std::string check_delete(const NodeDeleteRequest& request) {
  if (auto e = check_index(request.index()); !e.empty()) return e;
  for (int i = 0; i < request.ids_size(); ++i) {
    const auto& id = request.ids(i);
    if (id.empty()) return "id " + std::to_string(i) + ": empty primary key";
    if (id.size() > kMaxIdBytes)
      return "id " + std::to_string(i) + ": primary key longer than " + std::to_string(kMaxIdBytes) +
             " bytes";
  }
  return {};
}

std::optional<uint32_t> shard_of_json(const std::string& json) {
  uint32_t shard = 0;
  if (!read_shard(json, &shard).empty()) return std::nullopt;
  return shard;
}

}  // namespace miroir::node
