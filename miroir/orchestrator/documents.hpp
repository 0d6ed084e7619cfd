// Client documents as the orchestrator sees them: JSON objects with a
// primary key "id" (string, or non-negative integer which hashes as its
// decimal text). Fields named `_miroir_*` are reserved for the orchestrator
// (it injects `_miroir_shard`, and `_miroir_updated_at` when anti-entropy is
// on) and refused on input, stripped on output.
// Field order is preserved (ordered_json) so a document reads back as written.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace miroir::orchestrator {

inline constexpr const char* kPrimaryKey = "id";
inline constexpr const char* kShardField = "_miroir_shard";
// Orchestrator wall clock at write time, Unix ms (an integer); anti-entropy's
// last-writer-wins order (anti_entropy.hpp).
inline constexpr const char* kUpdatedAtField = "_miroir_updated_at";

// The orchestrator's wall clock, Unix ms (what kUpdatedAtField holds).
inline int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct ClientDocument {
  std::string id;                // the primary key as text
  nlohmann::ordered_json body;   // the parsed object
};

struct DocumentError {
  std::string code;     // miroir_bad_document | miroir_reserved_field
  std::string message;
};

bool is_reserved_field(std::string_view key);

// Parses document number `position` of a request; fills exactly one of doc/error.
bool parse_client_document(const std::string& text, size_t position, ClientDocument* doc,
                           DocumentError* error);

// Checks id number `position` of a delete request (the primary key rules of
// parse_client_document: an integer key is given as its decimal text).
bool check_client_id(const std::string& id, size_t position, DocumentError* error);

// The stored form: the client's object plus `_miroir_shard`, and
// `_miroir_updated_at` when given.
std::string stored_json(const ClientDocument& doc, uint32_t shard,
                        std::optional<int64_t> updated_at = std::nullopt);

// The client form of a stored document: every `_miroir_*` field removed.
// Text that does not parse is returned unchanged (never hide what a node holds).
std::string strip_reserved(const std::string& stored);

}  // namespace miroir::orchestrator
