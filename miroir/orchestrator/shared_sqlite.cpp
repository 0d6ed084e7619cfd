#include "miroir/orchestrator/shared_sqlite.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <thread>

namespace miroir::orchestrator::shared_sqlite {

bool is_busy(int rc) { return (rc & 0xFF) == SQLITE_BUSY || (rc & 0xFF) == SQLITE_LOCKED; }

sqlite3* open(const std::string& dir, const std::string& name) {
  std::filesystem::create_directories(dir);
  const std::string path = (std::filesystem::path(dir) / name).string();
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db, 5000);
  return db;
}

void use_wal(sqlite3* db) {
  // Changing the journal mode needs a moment alone with the file: when
  // another process holds it, SQLite keeps the old mode and says so.
  std::string mode;
  char* err = nullptr;
  int rc = sqlite3_exec(
      db, "PRAGMA journal_mode=WAL",
      [](void* out, int, char** values, char**) {
        *static_cast<std::string*>(out) = values[0] ? values[0] : "";
        return 0;
      },
      &mode, &err);
  std::string msg = err ? err : "";
  sqlite3_free(err);
  if (rc != SQLITE_OK) {
    if (is_busy(rc)) throw Busy("PRAGMA journal_mode=WAL: " + msg);
    throw std::runtime_error("sqlite: PRAGMA journal_mode=WAL: " + msg);
  }
  if (mode != "wal") throw Busy("journal mode is still " + mode);
  exec(db, "PRAGMA synchronous=FULL");
}

void exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err); rc != SQLITE_OK) {
    std::string msg = std::string("sqlite: ") + sql + ": " + (err ? err : "?");
    sqlite3_free(err);
    if (is_busy(rc)) throw Busy(msg);
    throw std::runtime_error(msg);
  }
}

void fail(sqlite3* db, const char* what) {
  std::string msg = std::string("sqlite: ") + what + ": " + sqlite3_errmsg(db);
  if (is_busy(sqlite3_extended_errcode(db))) throw Busy(msg);
  throw std::runtime_error(msg);
}

void retry_busy(sqlite3* db, const char* what, const std::function<void()>& attempt) {
  const auto deadline = std::chrono::steady_clock::now() + kBusyDeadline;
  thread_local std::mt19937 rng{std::random_device{}()};
  for (int n = 1;; ++n) {
    try {
      attempt();
      return;
    } catch (const Busy& e) {
      if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      if (std::chrono::steady_clock::now() >= deadline)
        throw std::runtime_error(std::string("sqlite: ") + what + ": database still busy after " +
                                 std::to_string(kBusyDeadline.count()) + " s: " + e.what());
      // Two processes retrying in step would collide again.
      int ms = std::min(100, 2 * n);
      std::this_thread::sleep_for(std::chrono::milliseconds(ms / 2 + rng() % (ms / 2 + 1)));
    }
  }
}

}  // namespace miroir::orchestrator::shared_sqlite
