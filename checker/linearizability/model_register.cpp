// register: one read/write register per key (or a single one when operations
// have no key), initially nil or the --initial value (Knossos's `register`).
//   read -> value      write v
// A cas is refused: this model is the register without compare-and-set, and
// a history with one wants cas-register (a cas read as a write, or ignored,
// would give a verdict on a different history). An info write may have taken
// effect at any time after its invocation, or never; an info read carries
// nothing and is dropped.
//
// Unlike Knossos, an ok read of nil is a read of nil (the register held nil:
// nothing written yet, or nil written), not "an unknown read that fits
// anything": Éclat's cas-register reads it the same way, and a client that
// does not know what it read completes its read as info, which is dropped.
// --nil-reads-unknown gives Knossos's reading (for Knossos's own data).
#include <stdexcept>

#include "checker/linearizability/model.hpp"

namespace eclat::lin {
namespace {

enum Kind : uint32_t { kRead, kWrite };

class Register : public Model {
 public:
  std::string name() const override { return "register"; }
  std::string describe() const override {
    return "a register per key, initially nil: read, write v (no cas: see cas-register)";
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
    } else if (op.f == "cas") {
      throw std::invalid_argument(
          "the register model has no cas (it knows read and write): check this history with "
          "--model cas-register");
    } else {
      throw std::invalid_argument("the register model knows read and write, not \"" + op.f + "\"");
    }
    return e;
  }

  // --initial 0: every register starts at 0 (Knossos's `(register 0)`). Any
  // value is a register's value: a map too, not a map of keys.
  void set_initial(const nlohmann::json& v) override { initial_ = canonical(v); }
  Value initial(const std::string&, ValuePool& pool) const override { return pool.intern(initial_); }

  bool step(const Encoded& op, Value* state, ValuePool&) const override {
    if (op.kind == kRead) return state[0] == op.args[0];
    state[0] = op.args[0];
    return true;
  }

  // A read that does not fit can only be saved by a write of the value it
  // read placed before it; if none of the operations that may still come
  // first writes that value, no order helps.
  bool hopeless(const Encoded& op, const Value* state, const std::vector<const Encoded*>& others,
                ValuePool&) const override {
    if (op.kind != kRead || state[0] == op.args[0]) return false;
    for (const Encoded* o : others)
      if (o->kind == kWrite && o->args[0] == op.args[0]) return false;
    return true;
  }

  std::string show_op(const LinOp& op) const override {
    std::string k = op.key ? "[" + *op.key + "] " : "";
    if (op.f == "read") return k + "read -> " + (op.info ? "?" : canonical(op.output));
    if (op.f == "write") return k + "write " + canonical(op.input) + (op.info ? " (info)" : "");
    return Model::show_op(op);
  }

  std::string why_not(const LinOp& op, const Encoded& e, const Value* state,
                      const ValuePool& pool) const override {
    if (e.kind == kRead)
      return "it read " + pool.str(e.args[0]) + " but the register held " + pool.str(state[0]);
    return Model::why_not(op, e, state, pool);
  }

 private:
  std::string initial_ = "nil";
};

const bool registered = register_model("register", [] { return std::make_unique<Register>(); });

}  // namespace
}  // namespace eclat::lin
