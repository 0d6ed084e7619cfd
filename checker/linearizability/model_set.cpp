// set: one set per key (or a single one when operations have no key),
// initially empty or the --initial list (Knossos's `set`).
//   add x              adds x (nothing changes when x is there already)
//   read -> [x y ...]  (the completion's value, a list: JSON array or EDN
//                      set/vector) the whole set, which must be exactly the
//                      set's elements
// A read is compared as a set: its order does not matter, and neither do
// repeats: [2, 1, 2] reads the set {1, 2}. A set has no second copy of
// anything, so a repeated element can only say again that it is there (a
// client that lists a set's members as a vector may well repeat one; it is
// not evidence of a second element). Elements are any JSON values, compared
// by canonical text (null is nil).
// An info add may have taken effect at any time after its invocation, or
// never; an info read carries nothing and is dropped.
// The state is the elements sorted by canonical text, as one interned text
// ("#{1,2}", see collection.hpp); a read is encoded as the state it saw, so
// its step is an integer compare.
#include <stdexcept>
#include <unordered_set>

#include "checker/linearizability/collection.hpp"
#include "checker/linearizability/model.hpp"

namespace eclat::lin {
namespace {

enum Kind : uint32_t { kAdd, kRead };

// The state holding these elements (sorted, each once).
Value set_of(ValuePool& pool, const std::vector<Value>& elems) {
  std::vector<Value> s;
  for (Value x : elems) {
    size_t at = Collections::position(pool, s, x);
    if (at == s.size() || s[at] != x) s.insert(s.begin() + at, x);
  }
  return Collections::of(pool).make(pool, s, "#{", "}");
}

class Set : public Model {
 public:
  std::string name() const override { return "set"; }
  std::string describe() const override {
    return "a set per key, initially empty: add x, read -> all its elements (order and repeats ignored)";
  }

  std::optional<Encoded> encode(const LinOp& op, ValuePool& pool) const override {
    Encoded e;
    e.info = op.info;
    if (op.f == "add") {
      e.kind = kAdd;
      e.args = {pool.intern(canonical(op.input))};
    } else if (op.f == "read") {
      if (op.info) return std::nullopt;
      e.kind = kRead;
      e.pure = true;
      e.args = {set_of(pool, intern_all(list_texts(op.output, "a set's read returns"), pool))};
    } else {
      throw std::invalid_argument("the set model knows add and read, not \"" + op.f + "\"");
    }
    return e;
  }

  // --initial [1, 2]: every set starts holding 1 and 2.
  void set_initial(const nlohmann::json& v) override { initial_ = list_texts(v, "the set model takes"); }
  Value initial(const std::string&, ValuePool& pool) const override {
    return set_of(pool, intern_all(initial_, pool));
  }

  bool step(const Encoded& op, Value* state, ValuePool& pool) const override {
    if (op.kind == kRead) return state[0] == op.args[0];
    Collections& cs = Collections::of(pool);
    Value x = op.args[0];
    Value next;
    if (!cs.cached(kAdd, state[0], x, next)) {
      std::vector<Value> s = cs.elements(state[0]);
      size_t at = Collections::position(pool, s, x);
      if (at == s.size() || s[at] != x) {
        s.insert(s.begin() + at, x);
        next = cs.make(pool, s, "#{", "}");
      } else {
        next = state[0];
      }
      cs.remember(pool, kAdd, state[0], x, next);
    }
    state[0] = next;
    return true;
  }

  // Adds only ever grow a set. A read that does not fit is hopeless when
  // the set holds something the read lacks (nothing takes it out again), or
  // when the read has something that none of the operations that may still
  // come before it adds.
  bool hopeless(const Encoded& op, const Value* state, const std::vector<const Encoded*>& others,
                ValuePool& pool) const override {
    if (op.kind != kRead || state[0] == op.args[0]) return false;
    const Collections& cs = Collections::of(pool);
    const auto& have = cs.elements(state[0]);
    const auto& want = cs.elements(op.args[0]);
    for (Value x : have) {
      size_t at = Collections::position(pool, want, x);
      if (at == want.size() || want[at] != x) return true;
    }
    std::unordered_set<Value> added;
    for (const Encoded* o : others)
      if (o->kind == kAdd) added.insert(o->args[0]);
    for (Value x : want) {
      size_t at = Collections::position(pool, have, x);
      if ((at == have.size() || have[at] != x) && !added.count(x)) return true;
    }
    return false;
  }

  // Sets only grow: every read after an add of x holds x, so only a read
  // holding x could have seen it.
  bool may_observe(const LinOp& effect, const LinOp& other) const override {
    if (effect.key != other.key) return false;
    if (other.f == "add") return false;  // an add succeeds whatever the set holds
    if (other.f != "read" || effect.f != "add") return true;
    if (other.info) return false;  // an unknown read carries nothing
    try {
      std::string x = canonical(effect.input);
      for (const auto& e : list_texts(other.output, "a set's read returns"))
        if (e == x) return true;
      return false;
    } catch (const std::exception&) {
      return true;
    }
  }

  std::string show_op(const LinOp& op) const override {
    std::string k = op.key ? "[" + *op.key + "] " : "";
    if (op.f == "add") return k + "add " + canonical(op.input) + (op.info ? " (info)" : "");
    if (op.f == "read") return k + "read -> " + (op.info ? "?" : canonical(op.output));
    return Model::show_op(op);
  }

  std::string why_not(const LinOp& op, const Encoded& e, const Value* state,
                      const ValuePool& pool) const override {
    const Collections* cs = Collections::find(pool);
    if (e.kind != kRead || !cs) return Model::why_not(op, e, state, pool);
    const auto& have = cs->elements(state[0]);
    const auto& want = cs->elements(e.args[0]);
    std::string missing, extra;
    for (Value x : want) {
      size_t at = Collections::position(pool, have, x);
      if (at == have.size() || have[at] != x) extra += (extra.empty() ? "" : ", ") + pool.str(x);
    }
    for (Value x : have) {
      size_t at = Collections::position(pool, want, x);
      if (at == want.size() || want[at] != x) missing += (missing.empty() ? "" : ", ") + pool.str(x);
    }
    std::string s = "it read " + pool.str(e.args[0]) + " but the set held " + pool.str(state[0]);
    if (!extra.empty()) s += "; it read " + extra + ", not added yet";
    if (!missing.empty()) s += "; it missed " + missing;
    return s;
  }

 private:
  std::vector<std::string> initial_;  // canonical texts
};

const bool registered = register_model("set", [] { return std::make_unique<Set>(); });

}  // namespace
}  // namespace eclat::lin
