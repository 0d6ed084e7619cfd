// kv: a string per key, initially empty: get -> value, put value,
// append value (concatenates). As in Porcupine's kv histories, reading an
// absent key returns "" (nil is read as ""). An info get is dropped; an info
// put or append may have taken effect at any time after its invocation.
#include <stdexcept>

#include "checker/linearizability/model.hpp"

namespace eclat::lin {
namespace {

enum Kind : uint32_t { kGet, kPut, kAppend };

std::string text(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
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

  Value initial(ValuePool& pool) const override { return pool.intern(""); }

  bool step(const Encoded& op, Value* state, ValuePool& pool) const override {
    Value& s = state[0];
    switch (op.kind) {
      case kGet: return s == op.args[0];
      case kPut: s = op.args[0]; return true;
      case kAppend: {
        // Concatenations are interned once and remembered: the search asks
        // for the same ones again and again.
        uint64_t k = (uint64_t{s} << 32) | op.args[0];
        auto it = pool.derived.find(k);
        if (it != pool.derived.end()) {
          s = it->second;
        } else {
          Value v = pool.intern(pool.str(s) + pool.str(op.args[0]));
          pool.derived.emplace(k, v);
          s = v;
        }
        return true;
      }
    }
    return false;
  }

  std::string show_value(Value v, const ValuePool& pool) const override {
    return nlohmann::json(pool.str(v)).dump();
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
      return "it read " + show_value(e.args[0], pool) + " but the key held " +
             show_value(state[0], pool);
    return Model::why_not(op, e, state, pool);
  }
};

const bool registered = register_model("kv", [] { return std::make_unique<Kv>(); });

}  // namespace
}  // namespace eclat::lin
