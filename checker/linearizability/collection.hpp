// The states of the collection models (fifo-queue, unordered-queue, set): a
// sequence of elements as one interned text, e.g. "[1,\"a\",nil]", each
// element written as its canonical text (JSON, nil for null). The text is a
// function of the sequence alone, and the sequence can be read back from it
// (each element is one JSON value or nil, so the commas between them are
// unambiguous): equal collections are equal Values, and a state comparison
// stays an integer compare. Each model says which sequence stands for a
// collection: the fifo queue its order (head first), the multiset and the
// set their elements sorted by canonical text.
//
// Parsing the text back on every step would be slow and is not needed: the
// pool's model_data remembers the elements of every state made here, and the
// transitions already taken. Both are charged to the pool, so that the
// search's memory budget sees them.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "checker/linearizability/model.hpp"

namespace eclat::lin {

class Collections {
 public:
  static constexpr Value kImpossible = ~0u;  // a cached transition that fails

  // The pool's tables (made on first use). A pool serves one model, so the
  // collection models may share the slot.
  static Collections& of(ValuePool& pool);
  // Null when the pool has none yet.
  static const Collections* find(const ValuePool& pool);

  // The state holding `elems` in this order; `open`/`close` frame its text
  // (each model its own, for people: "[..]", "{..}", "#{..}").
  Value make(ValuePool& pool, const std::vector<Value>& elems, const char* open, const char* close);
  // The elements of a state made by make(). Throws std::logic_error for any
  // other value.
  const std::vector<Value>& elements(Value state) const;

  // The transition cache: (kind, state, arg) -> next state or kImpossible.
  bool cached(uint32_t kind, Value state, Value arg, Value& out) const;
  void remember(ValuePool& pool, uint32_t kind, Value state, Value arg, Value out);

  // Sorted by canonical text: where x goes (or is) in `elems`.
  static size_t position(const ValuePool& pool, const std::vector<Value>& elems, Value x);

 private:
  std::unordered_map<Value, std::vector<Value>> elements_;
  std::array<std::unordered_map<uint64_t, Value>, 4> steps_;  // by kind (0..3)
};

// The canonical texts of a JSON list's elements; throws std::invalid_argument
// starting with `what` (the model) when it is not a list.
std::vector<std::string> list_texts(const nlohmann::json& v, const std::string& what);
std::vector<Value> intern_all(const std::vector<std::string>& texts, ValuePool& pool);

// Model::may_observe for the queues: taking an enqueued x out leaves the
// other elements in their order, so only the dequeue that returned x could
// tell it was there. An indeterminate dequeue either took x (then it may be
// left out with it: it need not happen) or another element, which x's
// absence does not change; enqueues see nothing.
bool queue_may_observe(const LinOp& effect, const LinOp& other);

}  // namespace eclat::lin
