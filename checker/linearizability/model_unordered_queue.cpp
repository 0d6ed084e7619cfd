// unordered-queue: one queue per key (or a single one when operations have no
// key) that keeps no order, a multiset, initially empty or the --initial list
// (Knossos's `unordered-queue`).
//   enqueue x          adds one copy of x
//   dequeue -> x       (x is the completion's value) takes one copy of x,
//                      which must be there
// Elements are any JSON values, compared by canonical text (an ok dequeue
// whose completion carries no value dequeued nil, as in Knossos).
// An info enqueue may have taken effect at any time after its invocation,
// or never. An info dequeue carries nothing and is dropped (encode gives
// nullopt), and that is exact, not an approximation: had it taken effect it
// would have removed some element, and keeping that element instead never
// prevents any later operation (a dequeue needs its element present, and an
// extra copy of something leaves every needed copy present; nothing else
// looks at the queue). So any order that works with the info dequeue in it
// also works without it, and the search may always leave an info operation
// out, which is the same as it never taking effect.
// The state is the elements sorted by canonical text, copies repeated, as
// one interned text ("{1,1,2}", see collection.hpp).
#include <stdexcept>

#include "checker/linearizability/collection.hpp"
#include "checker/linearizability/model.hpp"

namespace eclat::lin {
namespace {

enum Kind : uint32_t { kEnqueue, kDequeue };

class UnorderedQueue : public Model {
 public:
  std::string name() const override { return "unordered-queue"; }
  std::string describe() const override {
    return "a queue per key without order (a multiset), initially empty: enqueue x, dequeue -> any element";
  }

  std::optional<Encoded> encode(const LinOp& op, ValuePool& pool) const override {
    Encoded e;
    e.info = op.info;
    if (op.f == "enqueue") {
      e.kind = kEnqueue;
      e.args = {pool.intern(canonical(op.input))};
    } else if (op.f == "dequeue") {
      if (op.info) return std::nullopt;  // exact: see above
      e.kind = kDequeue;
      e.args = {pool.intern(canonical(op.output))};
    } else {
      throw std::invalid_argument("the unordered-queue model knows enqueue and dequeue, not \"" + op.f +
                                  "\"");
    }
    return e;
  }

  // --initial [1, 1, 2]: every queue starts holding two 1s and a 2.
  void set_initial(const nlohmann::json& v) override {
    initial_ = list_texts(v, "the unordered-queue model takes");
  }
  Value initial(const std::string&, ValuePool& pool) const override {
    Collections& cs = Collections::of(pool);
    std::vector<Value> m;
    for (Value x : intern_all(initial_, pool)) m.insert(m.begin() + Collections::position(pool, m, x), x);
    return cs.make(pool, m, "{", "}");
  }

  bool step(const Encoded& op, Value* state, ValuePool& pool) const override {
    Collections& cs = Collections::of(pool);
    Value x = op.args[0];
    Value next;
    if (!cs.cached(op.kind, state[0], x, next)) {
      std::vector<Value> m = cs.elements(state[0]);
      size_t at = Collections::position(pool, m, x);
      if (op.kind == kEnqueue) {
        m.insert(m.begin() + at, x);
        next = cs.make(pool, m, "{", "}");
      } else if (at == m.size() || m[at] != x) {
        next = Collections::kImpossible;
      } else {
        m.erase(m.begin() + at);
        next = cs.make(pool, m, "{", "}");
      }
      cs.remember(pool, op.kind, state[0], x, next);
    }
    if (next == Collections::kImpossible) return false;
    state[0] = next;
    return true;
  }

  bool may_observe(const LinOp& effect, const LinOp& other) const override {
    return queue_may_observe(effect, other);  // collection.hpp
  }

  std::string show_op(const LinOp& op) const override {
    std::string k = op.key ? "[" + *op.key + "] " : "";
    if (op.f == "enqueue") return k + "enqueue " + canonical(op.input) + (op.info ? " (info)" : "");
    if (op.f == "dequeue") return k + "dequeue -> " + (op.info ? "?" : canonical(op.output));
    return Model::show_op(op);
  }

  std::string why_not(const LinOp& op, const Encoded& e, const Value* state,
                      const ValuePool& pool) const override {
    if (e.kind == kDequeue)
      return "dequeued " + pool.str(e.args[0]) + " but the queue held none (it held " +
             pool.str(state[0]) + ")";
    return Model::why_not(op, e, state, pool);
  }

 private:
  std::vector<std::string> initial_;  // canonical texts
};

const bool registered =
    register_model("unordered-queue", [] { return std::make_unique<UnorderedQueue>(); });

}  // namespace
}  // namespace eclat::lin
