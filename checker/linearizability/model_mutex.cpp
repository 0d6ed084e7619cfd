// mutex: one lock per key (or a single one when operations have no key),
// initially free (Knossos's `mutex`). f `acquire` and `release`, no values
// (any value an operation carries is ignored).
//   acquire: only when free; then held      release: only when held; then free
// As in Knossos the lock has no owner: a release by another process than the
// one that acquired it is a release (a mutex that checks its owner refuses
// such a release with a fail, which did not happen). An info acquire or
// release may have taken effect at any time after its invocation, or never.
// --initial true starts every lock held, false free; nothing else.
// States are the interned texts "held" and "free".
#include <stdexcept>

#include "checker/linearizability/model.hpp"

namespace eclat::lin {
namespace {

enum Kind : uint32_t { kAcquire, kRelease };
constexpr const char* kHeld = "held";
constexpr const char* kFree = "free";

class Mutex : public Model {
 public:
  std::string name() const override { return "mutex"; }
  std::string describe() const override {
    return "a lock per key, initially free: acquire (only when free), release (only when held)";
  }

  // args: {free, held}, the two states, so that step needs no lookup.
  std::optional<Encoded> encode(const LinOp& op, ValuePool& pool) const override {
    Encoded e;
    e.info = op.info;
    if (op.f == "acquire") e.kind = kAcquire;
    else if (op.f == "release") e.kind = kRelease;
    else throw std::invalid_argument("the mutex model knows acquire and release, not \"" + op.f + "\"");
    e.args = {pool.intern(kFree), pool.intern(kHeld)};
    return e;
  }

  void set_initial(const nlohmann::json& v) override {
    if (!v.is_boolean())
      throw std::invalid_argument("the mutex model takes true (every lock starts held) or false (free), not " +
                                  v.dump());
    held_ = v.get<bool>();
  }
  Value initial(const std::string&, ValuePool& pool) const override {
    return pool.intern(held_ ? kHeld : kFree);
  }

  bool step(const Encoded& op, Value* state, ValuePool&) const override {
    Value free = op.args[0], held = op.args[1];
    if (op.kind == kAcquire) {
      if (state[0] != free) return false;
      state[0] = held;
    } else {
      if (state[0] != held) return false;
      state[0] = free;
    }
    return true;
  }

  std::string show_op(const LinOp& op) const override {
    std::string k = op.key ? "[" + *op.key + "] " : "";
    return k + op.f + (op.info ? " (info)" : "");
  }

  std::string why_not(const LinOp& op, const Encoded& e, const Value* state,
                      const ValuePool& pool) const override {
    std::string who = " (process " + std::to_string(op.process) + ")";
    if (e.kind == kAcquire) return "acquired while held" + who;
    if (e.kind == kRelease) return "released while free, not held" + who;
    return Model::why_not(op, e, state, pool);
  }

 private:
  bool held_ = false;
};

const bool registered = register_model("mutex", [] { return std::make_unique<Mutex>(); });

}  // namespace
}  // namespace eclat::lin
