// kv: a string per key, initially empty (or --initial's): get -> value, put value,
// append value (concatenates). As in Porcupine's kv histories, reading an
// absent key returns "" (nil is read as ""). An info get is dropped; an info
// put or append may have taken effect at any time after its invocation.
//
// States are strings that grow with every append, and the search visits
// many of them; copying and hashing whole strings would dominate. So a state
// is a node: (previous state, appended piece) with its length and a
// polynomial hash computed from its parent's in O(1). Equal strings reached
// in different ways are merged when length and hash agree and the strings,
// spelled out, really are equal; a get compares length and hash first and
// spells the strings out only when both agree. Comparisons stay exact.
#include <map>
#include <stdexcept>
#include <unordered_map>

#include "checker/linearizability/model.hpp"

namespace eclat::lin {
namespace {

enum Kind : uint32_t { kGet, kPut, kAppend };
constexpr Value kNoParent = ~0u;
constexpr uint64_t kMod = (uint64_t{1} << 61) - 1;
constexpr uint64_t kBase = 1000003;

uint64_t mulmod(uint64_t a, uint64_t b) {
  __uint128_t p = static_cast<__uint128_t>(a) * b;
  uint64_t lo = static_cast<uint64_t>(p & kMod), hi = static_cast<uint64_t>(p >> 61);
  uint64_t r = lo + hi;
  return r >= kMod ? r - kMod : r;
}
uint64_t addmod(uint64_t a, uint64_t b) {
  uint64_t r = a + b;
  return r >= kMod ? r - kMod : r;
}

std::string text(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// The string states of one search.
struct Strings {
  struct Node {
    Value parent;  // kNoParent: the piece is the whole string
    Value piece;   // a pool value
    uint64_t len, hash;
  };
  struct Piece {
    uint64_t hash = 0, pow = 1;  // hash of the piece, kBase^len
    bool known = false;
  };
  std::vector<Node> nodes;
  std::unordered_multimap<uint64_t, Value> by_content;  // (hash, len) -> nodes
  std::unordered_map<uint64_t, Value> children;         // (state, piece) -> node
  std::unordered_map<uint64_t, bool> equal_to_piece;    // (state, piece) -> same string?
  std::vector<Piece> pieces;
  std::unordered_map<Value, std::vector<uint64_t>> prefix_hashes;  // of get values

  // Hash of the first `len` characters of pool string p.
  uint64_t prefix_hash(const ValuePool& pool, Value p, uint64_t len) {
    auto it = prefix_hashes.find(p);
    if (it == prefix_hashes.end()) {
      std::vector<uint64_t> h{0};
      for (unsigned char c : pool.str(p)) h.push_back(addmod(mulmod(h.back(), kBase), c + 1));
      it = prefix_hashes.emplace(p, std::move(h)).first;
    }
    return it->second[len];
  }

  const Piece& piece(const ValuePool& pool, Value p) {
    if (pieces.size() <= p) pieces.resize(p + 1);
    Piece& x = pieces[p];
    if (!x.known) {
      for (unsigned char c : pool.str(p)) {
        x.hash = addmod(mulmod(x.hash, kBase), c + 1);
        x.pow = mulmod(x.pow, kBase);
      }
      x.known = true;
    }
    return x;
  }
  std::string spell(const ValuePool& pool, Value n) const {
    std::vector<Value> chain;
    for (Value v = n; v != kNoParent; v = nodes[v].parent) chain.push_back(nodes[v].piece);
    std::string s;
    s.reserve(nodes[n].len);
    for (size_t i = chain.size(); i-- > 0;) s += pool.str(chain[i]);
    return s;
  }
  static uint64_t content_key(uint64_t hash, uint64_t len) { return hash * 0x9E3779B97F4A7C15ull ^ len; }

  // The node for `parent` + piece (or the piece alone).
  Value make(ValuePool& pool, Value parent, Value p) {
    const Piece& pc = piece(pool, p);
    uint64_t len = pool.str(p).size(), hash = pc.hash;
    if (parent != kNoParent) {
      len += nodes[parent].len;
      hash = addmod(mulmod(nodes[parent].hash, pc.pow), pc.hash);
    }
    uint64_t ck = content_key(hash, len);
    auto range = by_content.equal_range(ck);
    if (range.first != range.second) {
      std::string mine = (parent == kNoParent ? "" : spell(pool, parent)) + pool.str(p);
      for (auto it = range.first; it != range.second; ++it)
        if (spell(pool, it->second) == mine) return it->second;
    }
    Value id = static_cast<Value>(nodes.size());
    nodes.push_back({parent, p, len, hash});
    by_content.emplace(ck, id);
    pool.charge(96);
    return id;
  }
};

Strings& strings_of(ValuePool& pool) {
  if (!pool.model_data) pool.model_data = std::make_shared<Strings>();
  return *static_cast<Strings*>(pool.model_data.get());
}

class Kv : public Model {
 public:
  std::string name() const override { return "kv"; }
  std::string describe() const override {
    return "a string per key, initially \"\": get, put v, append v";
  }

  std::optional<Encoded> encode(const LinOp& op, ValuePool& pool) const override {
    Encoded e;
    e.info = op.info;
    if (op.f == "get" || op.f == "read") {
      if (op.info) return std::nullopt;
      e.kind = kGet;
      e.pure = true;
      e.args = {pool.intern(text(op.output))};
    } else if (op.f == "put" || op.f == "write") {
      e.kind = kPut;
      e.args = {pool.intern(text(op.input))};
    } else if (op.f == "append") {
      e.kind = kAppend;
      e.args = {pool.intern(text(op.input))};
    } else {
      throw std::invalid_argument("the kv model knows get, put and append, not \"" + op.f + "\"");
    }
    return e;
  }

  // --initial "ab": every key starts as "ab"; --initial {"k1": "ab"}: the
  // keys named start there, the others empty.
  void set_initial(const nlohmann::json& v) override {
    initial_.clear();
    every_ = "";
    if (v.is_string()) {
      every_ = v.get<std::string>();
    } else if (v.is_object()) {
      for (const auto& [k, val] : v.items()) {
        if (!val.is_string()) throw std::invalid_argument("the kv model's initial values are strings");
        initial_[k] = val.get<std::string>();
      }
    } else {
      throw std::invalid_argument("the kv model takes a string (every key) or a map of key to string");
    }
  }
  Value initial(const std::string& key, ValuePool& pool) const override {
    auto it = initial_.find(key);
    return strings_of(pool).make(pool, kNoParent, pool.intern(it == initial_.end() ? every_ : it->second));
  }

  bool step(const Encoded& op, Value* state, ValuePool& pool) const override {
    Strings& ss = strings_of(pool);
    Value& s = state[0];
    Value arg = op.args[0];
    uint64_t key = (uint64_t{s} << 32) | arg;
    switch (op.kind) {
      case kGet: {
        const Strings::Piece& pc = ss.piece(pool, arg);
        const Strings::Node& n = ss.nodes[s];
        if (n.len != pool.str(arg).size() || n.hash != pc.hash) return false;
        auto it = ss.equal_to_piece.find(key);
        if (it == ss.equal_to_piece.end()) {
          it = ss.equal_to_piece.emplace(key, ss.spell(pool, s) == pool.str(arg)).first;
          pool.charge(32);
        }
        return it->second;
      }
      case kPut:
      case kAppend: {
        if (op.kind == kPut) key = (uint64_t{kNoParent} << 32) | arg;
        auto it = ss.children.find(key);
        if (it != ss.children.end()) {
          s = it->second;
        } else {
          Value v = ss.make(pool, op.kind == kPut ? kNoParent : s, arg);
          ss.children.emplace(key, v);
          pool.charge(32);
          s = v;
        }
        return true;
      }
    }
    return false;
  }

  bool hopeless(const Encoded& op, const Value* state, const std::vector<const Encoded*>& others,
                ValuePool& pool) const override {
    if (op.kind != kGet) return false;
    for (const Encoded* o : others)
      if (o->kind == kPut) return false;  // a put may start the string afresh
    // Only appends may come: the state must be a prefix of the value read.
    // Different hashes prove it is not; equal ones prove nothing.
    Strings& ss = strings_of(pool);
    const Strings::Node& n = ss.nodes[state[0]];
    const std::string& target = pool.str(op.args[0]);
    if (n.len > target.size()) return true;
    bool appends = false;
    for (const Encoded* o : others) appends |= o->kind == kAppend;
    if (!appends) return true;  // nothing can change it (and it does not fit)
    return ss.prefix_hash(pool, op.args[0], n.len) != n.hash;
  }

  std::string show_value(Value v, const ValuePool& pool) const override {
    const auto* ss = static_cast<const Strings*>(pool.model_data.get());
    return nlohmann::json(ss ? ss->spell(pool, v) : std::string("?")).dump();
  }
  // After a put of v, until the next put, the string starts with v; after
  // an append of x it contains x. Only a get whose value starts with v
  // (contains x) can have seen it; appends succeed on any string.
  bool may_observe(const LinOp& effect, const LinOp& other) const override {
    if (effect.key != other.key) return false;
    if (other.f != "get" && other.f != "read") return false;
    if (other.info) return false;
    std::string got = text(other.output), v = text(effect.input);
    if (effect.f == "put" || effect.f == "write") return got.compare(0, v.size(), v) == 0;
    if (effect.f == "append") return got.find(v) != std::string::npos;
    return true;
  }

  std::string show_op(const LinOp& op) const override {
    std::string k = "[" + op.key.value_or("") + "] ";
    if (op.f == "get" || op.f == "read")
      return k + "get -> " + (op.info ? "?" : nlohmann::json(text(op.output)).dump());
    return k + op.f + " " + nlohmann::json(text(op.input)).dump() + (op.info ? " (info)" : "");
  }
  std::string why_not(const LinOp& op, const Encoded& e, const Value* state,
                      const ValuePool& pool) const override {
    if (e.kind == kGet)
      return "it read " + nlohmann::json(pool.str(e.args[0])).dump() + " but the key held " +
             show_value(state[0], pool);
    return Model::why_not(op, e, state, pool);
  }

 private:
  std::string every_;                           // --initial "ab"
  std::map<std::string, std::string> initial_;  // --initial {"k1": "ab"}
};

const bool registered = register_model("kv", [] { return std::make_unique<Kv>(); });

}  // namespace
}  // namespace eclat::lin
