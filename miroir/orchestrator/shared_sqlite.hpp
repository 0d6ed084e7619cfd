// What the orchestrator's SQLite files (tasks.sqlite, topology.sqlite) have in
// common: several orchestrator processes open the same file (the shared
// --data directory). WAL lets readers run beside the one writer, synchronous
// = FULL makes a commit durable before it returns, the busy timeout waits for
// another process's write lock, and what SQLite reports busy without waiting
// (WAL recovery, a snapshot gone stale, a journal mode change racing another
// opener) is retried as a whole by retry_busy, up to kBusyDeadline.
#pragma once
#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>

struct sqlite3;

namespace miroir::orchestrator::shared_sqlite {

// How long an operation keeps retrying while other processes hold the file.
inline constexpr std::chrono::seconds kBusyDeadline{30};

// The file is held by another connection: the operation may be tried again.
struct Busy : std::runtime_error {
  using std::runtime_error::runtime_error;
};
bool is_busy(int rc);

// Opens DIR/NAME read-write (creating both), serialized, 5 s busy timeout.
// std::runtime_error naming the file when it cannot.
sqlite3* open(const std::string& dir, const std::string& name);
// WAL and synchronous=FULL; Busy while another opener holds the file.
void use_wal(sqlite3* db);
// Runs `sql`; Busy or std::runtime_error naming it.
void exec(sqlite3* db, const char* sql);
// Busy or std::runtime_error with SQLite's last message about `what`.
[[noreturn]] void fail(sqlite3* db, const char* what);
// Runs `attempt` again while it throws Busy (short, growing, jittered pauses;
// a transaction it left open is rolled back first), up to kBusyDeadline,
// then std::runtime_error naming `what`.
void retry_busy(sqlite3* db, const char* what, const std::function<void()>& attempt);

}  // namespace miroir::orchestrator::shared_sqlite
