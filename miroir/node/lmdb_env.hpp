// Thin RAII over the LMDB C API: an environment, transactions that abort
// unless committed, and a cursor. Errors become LmdbError (std::runtime_error)
// carrying mdb_strerror, so a failing write never silently acknowledges.
#pragma once
#include <lmdb.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace miroir::node::lmdb {

struct LmdbError : std::runtime_error {
  LmdbError(const std::string& what, int rc);
  int code;
};

void check(int rc, const char* what);

class Env {
 public:
  // Opens (creating) an environment in directory `dir`. The map is sparse, so
  // a large map_size costs no disk until used.
  Env(const std::string& dir, size_t map_size, unsigned max_dbs, unsigned max_readers);
  ~Env();
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;
  MDB_env* get() const { return env_; }

 private:
  MDB_env* env_ = nullptr;
};

class Txn {
 public:
  Txn(Env& env, bool write);
  ~Txn();
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  void commit();
  MDB_txn* get() const { return txn_; }

  // Opens (write txn: creates) a named database.
  MDB_dbi open(const char* name);

  // The value stays valid until the transaction ends.
  std::optional<std::string_view> get(MDB_dbi dbi, std::string_view key);
  void put(MDB_dbi dbi, std::string_view key, std::string_view value);
  bool del(MDB_dbi dbi, std::string_view key);  // false when absent
  size_t entries(MDB_dbi dbi);

 private:
  MDB_txn* txn_ = nullptr;
};

class Cursor {
 public:
  Cursor(Txn& txn, MDB_dbi dbi);
  ~Cursor();
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;

  bool first();
  bool seek(std::string_view key);  // first entry >= key
  bool next();
  std::string_view key() const;
  std::string_view value() const;

 private:
  bool op(MDB_cursor_op o);
  MDB_cursor* cur_ = nullptr;
  MDB_val k_{}, v_{};
};

}  // namespace miroir::node::lmdb
