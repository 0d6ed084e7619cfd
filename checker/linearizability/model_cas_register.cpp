// cas-register: one register per key (or a single one when operations have
// no key), initially nil or the --initial value. read -> value; write v; cas [old new].
// A cas whose completion value is `false` ran and lost its compare (the
// register did not hold `old` then): it happened and changed nothing. Any
// other ok cas swapped. An info cas may have swapped at any time after its
// invocation; an info read carries nothing and is dropped.
//
// register (Knossos's `register`) is the same register without
// compare-and-set: a cas is refused, since a history with one wants
// cas-register (a cas read as a write, or ignored, would give a verdict on a
// different history). It lives here because everything else is the same.
//
// Unlike Knossos, an ok read of nil is a read of nil (the register held nil:
// nothing written yet, or nil written), not "an unknown read that fits
// anything": a client that does not know what it read completes its read as
// info, which is dropped. --nil-reads-unknown gives Knossos's reading (for
// Knossos's own data).
#include <stdexcept>

#include "checker/linearizability/model.hpp"

namespace eclat::lin {
namespace {

enum Kind : uint32_t { kRead, kWrite, kCas, kCasLost, kCasMaybe };

class CasRegister : public Model {
 public:
  explicit CasRegister(bool with_cas) : with_cas_(with_cas) {}
  std::string name() const override { return with_cas_ ? "cas-register" : "register"; }
  std::string describe() const override {
    return with_cas_ ? "a register per key, initially nil: read, write v, cas [old new] (ok with value false: lost compare)"
                     : "a register per key, initially nil: read, write v (no cas: see cas-register)";
  }

  std::optional<Encoded> encode(const LinOp& op, ValuePool& pool) const override {
    Encoded e;
    e.info = op.info;
    if (op.f == "read") {
      if (op.info || (nil_reads_unknown() && op.output.is_null())) return std::nullopt;
      e.kind = kRead;
      e.pure = true;
      e.args = {pool.intern(canonical(op.output))};
    } else if (op.f == "write") {
      e.kind = kWrite;
      e.args = {pool.intern(canonical(op.input))};
    } else if (op.f == "cas" && !with_cas_) {
      throw std::invalid_argument(
          "the register model has no cas (it knows read and write): check this history with "
          "--model cas-register");
    } else if (op.f == "cas") {
      if (!op.input.is_array() || op.input.size() != 2)
        throw std::invalid_argument("a cas needs the value [old, new]");
      Value from = pool.intern(canonical(op.input[0]));
      Value to = pool.intern(canonical(op.input[1]));
      if (op.info) {
        e.kind = kCasMaybe;
        e.args = {from, to};
      } else if (op.output.is_boolean() && !op.output.get<bool>()) {
        e.kind = kCasLost;
        e.pure = true;
        e.args = {from};
      } else {
        e.kind = kCas;
        e.args = {from, to};
      }
    } else if (!with_cas_) {
      throw std::invalid_argument("the register model knows read and write, not \"" + op.f + "\"");
    } else {
      throw std::invalid_argument("the cas-register model knows read, write and cas, not \"" +
                                  op.f + "\"");
    }
    return e;
  }

  // --initial 0: every register starts at 0 (Knossos's `(cas-register 0)`, `(register 0)`).
  // Any value is a register's value, so a map is one too, not a map of keys.
  void set_initial(const nlohmann::json& v) override { initial_ = canonical(v); }
  Value initial(const std::string&, ValuePool& pool) const override { return pool.intern(initial_); }

  bool step(const Encoded& op, Value* state, ValuePool&) const override {
    Value& s = state[0];
    switch (op.kind) {
      case kRead: return s == op.args[0];
      case kWrite: s = op.args[0]; return true;
      case kCas:
        if (s != op.args[0]) return false;
        s = op.args[1];
        return true;
      case kCasLost: return s != op.args[0];
      case kCasMaybe:
        if (s == op.args[0]) s = op.args[1];
        return true;
    }
    return false;
  }

  // A read of v that does not fit can only be saved by an operation that
  // may still come before it and puts v there (a write of v, a cas [_ v],
  // swapped or maybe); with none, no order helps. (A read of a value nobody
  // wrote, in a history of a million operations, is then refuted at once
  // instead of after an exhaustive search of everything before it.)
  bool hopeless(const Encoded& op, const Value* state, const std::vector<const Encoded*>& others,
                ValuePool&) const override {
    if (op.kind != kRead || state[0] == op.args[0]) return false;
    const Value v = op.args[0];
    for (const Encoded* o : others) {
      if (o->kind == kWrite && o->args[0] == v) return false;
      if ((o->kind == kCas || o->kind == kCasMaybe) && o->args[1] == v) return false;
    }
    return true;
  }

  // Between `effect` and the next write the register holds what effect
  // wrote (v): in a linearization with effect, only what depends on that
  // value can tell it was there once effect is taken out (the register then
  // holds the value before): a read of v, a cas expecting v (ok or
  // indeterminate; an indeterminate cas expecting something else did
  // nothing there and may be left out instead: it need not happen), and a
  // cas that lost its compare against another value (it might win against
  // the value before).
  bool may_observe(const LinOp& effect, const LinOp& other) const override {
    if (effect.key != other.key) return false;
    std::string v;
    if (effect.f == "write") v = canonical(effect.input);
    else if (effect.f == "cas" && effect.input.is_array() && effect.input.size() == 2)
      v = canonical(effect.input[1]);
    else return true;
    // cas [a a] leaves the register as it found it: nothing can tell it happened.
    if (effect.f == "cas" && canonical(effect.input[0]) == v) return false;
    if (other.f == "read") return !other.info && canonical(other.output) == v;
    if (other.f == "write") return false;
    if (other.f != "cas" || !other.input.is_array() || other.input.size() != 2) return true;
    bool expects_v = canonical(other.input[0]) == v;
    bool lost = !other.info && other.output.is_boolean() && !other.output.get<bool>();
    return lost ? !expects_v : expects_v;
  }

  std::string show_op(const LinOp& op) const override {
    std::string k = op.key ? "[" + *op.key + "] " : "";
    if (op.f == "read")
      return k + "read -> " + (op.info ? "?" : canonical(op.output));
    if (op.f == "write") return k + "write " + canonical(op.input) + (op.info ? " (info)" : "");
    std::string s = k + "cas " + canonical(op.input);
    if (op.info) return s + " -> ?";
    return s + ((op.output.is_boolean() && !op.output.get<bool>()) ? " -> false" : " -> true");
  }
  std::string show_value(Value v, const ValuePool& pool) const override { return pool.str(v); }

  std::string why_not(const LinOp& op, const Encoded& e, const Value* state,
                      const ValuePool& pool) const override {
    std::string held = "the register held " + pool.str(state[0]);
    switch (e.kind) {
      case kRead: return "it read " + pool.str(e.args[0]) + " but " + held;
      case kCas: return "its compare succeeded (expected " + pool.str(e.args[0]) + ") but " + held;
      case kCasLost:
        return "its compare failed (expected " + pool.str(e.args[0]) + ") but " + held;
    }
    return show_op(op) + " cannot follow " + held;
  }

 private:
  bool with_cas_;
  std::string initial_ = "nil";
};

const bool registered =
    register_model("cas-register", [] { return std::make_unique<CasRegister>(true); }) &&
    register_model("register", [] { return std::make_unique<CasRegister>(false); });

}  // namespace
}  // namespace eclat::lin
