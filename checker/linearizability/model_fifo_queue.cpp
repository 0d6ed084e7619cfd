// fifo-queue: one FIFO queue per key (or a single one when operations have
// no key), initially empty or the --initial list, head first (Knossos's
// `fifo-queue`).
//   enqueue x          puts x at the tail
//   dequeue -> x       (x is the completion's value) takes the head, which
//                      must be x; from an empty queue an ok dequeue is
//                      impossible ("can't dequeue from empty queue")
// Elements are any JSON values, compared by canonical text (null is nil: an
// ok dequeue whose completion carries no value dequeued nil, and fits only a
// nil head, as in Knossos; Jepsen clients report "the queue was empty" as a
// fail, which did not happen).
// An info enqueue may have taken effect at any time after its invocation,
// or never: its step is the enqueue's. An info dequeue, if it took effect,
// took the head, whatever it was: its step pops the head of a non-empty
// queue and is impossible on an empty one (a dequeue that found the queue
// empty changed nothing, which is the same as never taking effect, and the
// search may always leave an info operation out).
// The state is the queue's elements, head first, as one interned text
// ("[1,2,3]", see collection.hpp).
#include <stdexcept>

#include "checker/linearizability/collection.hpp"
#include "checker/linearizability/model.hpp"

namespace eclat::lin {
namespace {

enum Kind : uint32_t { kEnqueue, kDequeue, kDequeueAny };

class FifoQueue : public Model {
 public:
  std::string name() const override { return "fifo-queue"; }
  std::string describe() const override {
    return "a FIFO queue per key, initially empty: enqueue x, dequeue -> the head";
  }

  std::optional<Encoded> encode(const LinOp& op, ValuePool& pool) const override {
    Encoded e;
    e.info = op.info;
    if (op.f == "enqueue") {
      e.kind = kEnqueue;
      e.args = {pool.intern(canonical(op.input))};
    } else if (op.f == "dequeue") {
      if (op.info) {
        e.kind = kDequeueAny;
      } else {
        e.kind = kDequeue;
        e.args = {pool.intern(canonical(op.output))};
      }
    } else {
      throw std::invalid_argument("the fifo-queue model knows enqueue and dequeue, not \"" + op.f + "\"");
    }
    return e;
  }

  // --initial [1, 2]: every queue starts holding 1 then 2 (1 is the head).
  void set_initial(const nlohmann::json& v) override {
    initial_ = list_texts(v, "the fifo-queue model takes");
  }
  Value initial(const std::string&, ValuePool& pool) const override {
    return Collections::of(pool).make(pool, intern_all(initial_, pool), "[", "]");
  }

  bool step(const Encoded& op, Value* state, ValuePool& pool) const override {
    Collections& cs = Collections::of(pool);
    // Every dequeue of a state goes to the same next state (the head
    // popped), so the cache keys them by the state alone.
    uint32_t kind = op.kind == kEnqueue ? 0 : 1;
    Value arg = op.kind == kEnqueue ? op.args[0] : 0;
    if (op.kind == kDequeue) {
      const auto& q = cs.elements(state[0]);
      if (q.empty() || q.front() != op.args[0]) return false;
    }
    Value next;
    if (!cs.cached(kind, state[0], arg, next)) {
      std::vector<Value> q = cs.elements(state[0]);
      if (op.kind == kEnqueue) {
        q.push_back(op.args[0]);
        next = cs.make(pool, q, "[", "]");
      } else if (q.empty()) {
        next = Collections::kImpossible;
      } else {
        q.erase(q.begin());
        next = cs.make(pool, q, "[", "]");
      }
      cs.remember(pool, kind, state[0], arg, next);
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
    const Collections* cs = Collections::find(pool);
    if (cs && (e.kind == kDequeue || e.kind == kDequeueAny)) {
      const auto& q = cs->elements(state[0]);
      if (q.empty())
        return e.kind == kDequeue ? "dequeued " + pool.str(e.args[0]) + " but the queue was empty"
                                  : "a dequeue that may have happened, but the queue was empty";
      if (e.kind == kDequeue)
        return "dequeued " + pool.str(e.args[0]) + " but the head was " + pool.str(q.front()) +
               " (the queue held " + pool.str(state[0]) + ")";
    }
    return Model::why_not(op, e, state, pool);
  }

 private:
  std::vector<std::string> initial_;  // canonical texts, head first
};

const bool registered = register_model("fifo-queue", [] { return std::make_unique<FifoQueue>(); });

}  // namespace
}  // namespace eclat::lin
