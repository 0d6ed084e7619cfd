#include "miroir/node/lmdb_env.hpp"

namespace miroir::node::lmdb {

namespace {
MDB_val val(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}
std::string_view view(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}
}  // namespace

LmdbError::LmdbError(const std::string& what, int rc)
    : std::runtime_error("lmdb " + what + ": " + mdb_strerror(rc)), code(rc) {}

void check(int rc, const char* what) {
  if (rc != MDB_SUCCESS) throw LmdbError(what, rc);
}

Env::Env(const std::string& dir, size_t map_size, unsigned max_dbs, unsigned max_readers) {
  check(mdb_env_create(&env_), "env_create");
  try {
    check(mdb_env_set_mapsize(env_, map_size), "env_set_mapsize");
    check(mdb_env_set_maxdbs(env_, max_dbs), "env_set_maxdbs");
    check(mdb_env_set_maxreaders(env_, max_readers), "env_set_maxreaders");
    // MDB_NOTLS: read transactions are not tied to a thread, since gRPC
    // handlers run on a pool. Default sync flags: a commit is fsynced.
    check(mdb_env_open(env_, dir.c_str(), MDB_NOTLS, 0644), "env_open");
  } catch (...) {
    mdb_env_close(env_);
    throw;
  }
}

Env::~Env() {
  if (env_) mdb_env_close(env_);
}

Txn::Txn(Env& env, bool write) {
  check(mdb_txn_begin(env.get(), nullptr, write ? 0 : MDB_RDONLY, &txn_), "txn_begin");
}

Txn::~Txn() {
  if (txn_) mdb_txn_abort(txn_);
}

void Txn::commit() {
  MDB_txn* t = txn_;
  txn_ = nullptr;  // mdb_txn_commit frees the txn even on failure
  check(mdb_txn_commit(t), "txn_commit");
}

MDB_dbi Txn::open(const char* name) {
  MDB_dbi dbi;
  check(mdb_dbi_open(txn_, name, MDB_CREATE, &dbi), "dbi_open");
  return dbi;
}

std::optional<std::string_view> Txn::get(MDB_dbi dbi, std::string_view key) {
  MDB_val k = val(key), v{};
  int rc = mdb_get(txn_, dbi, &k, &v);
  if (rc == MDB_NOTFOUND) return std::nullopt;
  check(rc, "get");
  return view(v);
}

void Txn::put(MDB_dbi dbi, std::string_view key, std::string_view value) {
  MDB_val k = val(key), v = val(value);
  check(mdb_put(txn_, dbi, &k, &v, 0), "put");
}

bool Txn::del(MDB_dbi dbi, std::string_view key) {
  MDB_val k = val(key);
  int rc = mdb_del(txn_, dbi, &k, nullptr);
  if (rc == MDB_NOTFOUND) return false;
  check(rc, "del");
  return true;
}

size_t Txn::entries(MDB_dbi dbi) {
  MDB_stat st;
  check(mdb_stat(txn_, dbi, &st), "stat");
  return st.ms_entries;
}

Cursor::Cursor(Txn& txn, MDB_dbi dbi) { check(mdb_cursor_open(txn.get(), dbi, &cur_), "cursor_open"); }
Cursor::~Cursor() {
  if (cur_) mdb_cursor_close(cur_);
}

bool Cursor::op(MDB_cursor_op o) {
  int rc = mdb_cursor_get(cur_, &k_, &v_, o);
  if (rc == MDB_NOTFOUND) return false;
  check(rc, "cursor_get");
  return true;
}

bool Cursor::first() { return op(MDB_FIRST); }
bool Cursor::seek(std::string_view key) {
  k_ = val(key);
  return op(MDB_SET_RANGE);
}
bool Cursor::next() { return op(MDB_NEXT); }
std::string_view Cursor::key() const { return view(k_); }
std::string_view Cursor::value() const { return view(v_); }

}  // namespace miroir::node::lmdb
