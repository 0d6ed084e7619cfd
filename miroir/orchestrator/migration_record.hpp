// The persisted record of one migration (node add or remove within a replica
// group), stored as JSON in the shared topology store before each phase acts,
// so a restarted coordinator resumes it (migrations.hpp).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "miroir.pb.h"

namespace miroir::orchestrator {

// Phases in order; final ones: complete, aborted, refused.
inline constexpr const char* kMigrationPhases[] = {"computing", "dual-write", "cutover", "draining",
                                                   "delta",     "activate",   "cleanup", "complete"};

struct ShardMoveRecord {
  uint32_t shard = 0;
  std::string from, to;
  std::string state = "pending";  // pending | copying | copied | delta-done | active | cleaned
  uint64_t cursor = 0;            // offset reached by the background copy
  uint64_t copied = 0;
  uint64_t delta = 0;
};

struct MigrationRecord {
  std::string id;    // mig-<n>
  uint64_t number = 0;
  std::string kind;  // add | remove
  std::string node, address;
  uint32_t group = 0;
  std::string coordinator;
  std::string phase = "computing";
  std::vector<ShardMoveRecord> moves;
  // Counters kept in the record; dual_writes and writes_failed_on_new are
  // counted from the in-flight list (task_store.hpp) when reported.
  uint64_t documents_copied = 0;
  uint64_t delta_documents = 0;
  uint64_t drain_ms = 0;
  uint64_t undecided_at_deadline = 0;
  uint64_t cleaned_documents = 0;
  bool delta_forced = false;  // the drain deadline passed: delta even under conditional-delta
  std::vector<std::string> decisions;
  int64_t started_at_ms = 0;
  int64_t updated_at_ms = 0;
  uint64_t epoch = 0;

  bool finished() const { return phase == "complete" || phase == "aborted" || phase == "refused"; }
  std::string to_json() const;
  static MigrationRecord from_json(const std::string& text);  // throws std::runtime_error
  // The status message (counters from the in-flight list given by the caller).
  MigrationStatus to_status(uint64_t dual_writes, uint64_t writes_failed_on_new) const;
};

int64_t unix_ms();

}  // namespace miroir::orchestrator
