// What the linearizability search needs from a data type: a small interface,
// one file per model, registered by name (--model NAME).
//
// A model sees whole operations (invocation + completion, `LinOp`), encodes
// each once into integers (`Encoded`, values interned in a `ValuePool`), and
// then steps a state made of one interned value per key. Interning makes a
// state comparison an integer compare and lets the search memoise
// (linearized set, state) pairs cheaply.
//
// Keys are the footprint of an operation: the state is a product of one value
// per key and an operation reads and writes only the keys it names. The
// checker uses that to split a history into independent parts
// (P-compositionality) and, inside one part, to reorder independent
// operations freely (partial-order reduction).
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace eclat::lin {

// One operation of a history, invocation and completion together.
struct LinOp {
  int64_t process = 0;
  std::string f;
  std::optional<std::string> key;
  nlohmann::json input;   // the invocation's value
  nlohmann::json output;  // the completion's value; null when info
  bool info = false;      // unknown outcome: may take effect at any time after `call`, or never
  uint64_t call = 0;      // position of the invocation in the history (real-time order)
  uint64_t ret = 0;       // position of the completion; kNever when info
  int64_t index = -1;     // the invocation's index in the history (what people see)
  int64_t call_ns = 0;    // Op::time of the invocation: ns since the run started
  int64_t ret_ns = -1;    // Op::time of the ok completion; -1 when info (returned never)
  std::string error;
  static constexpr uint64_t kNever = ~uint64_t{0};
};

using Value = uint32_t;

// Interns a model's values (their canonical text) into small integers. One
// per search, never shared between threads.
class ValuePool {
 public:
  Value intern(std::string_view s);
  const std::string& str(Value v) const { return values_[v]; }
  size_t size() const { return values_.size(); }
  size_t bytes() const { return bytes_; }
  // A cache models may use for derived values (e.g. concatenations); what
  // they add to it they charge() so that the search's budget sees it.
  std::unordered_map<uint64_t, Value> derived;
  void charge(size_t bytes) { bytes_ += bytes; }
  // A model's own per-search tables (e.g. kv's string states), if it needs any.
  std::shared_ptr<void> model_data;

 private:
  std::deque<std::string> values_;  // a deque: references stay valid as it grows
  std::unordered_map<std::string_view, Value> index_;
  size_t bytes_ = 0;
};

struct Encoded {
  uint32_t kind = 0;         // model-specific
  std::vector<Value> args;   // model-specific
  bool info = false;         // outcome unknown: the step must not check outputs
  bool pure = false;         // can never change the state (reads, lost compares)
};

class Model {
 public:
  virtual ~Model() = default;
  virtual std::string name() const = 0;
  virtual std::string describe() const = 0;  // one line for --help

  // The keys the operation reads or writes (the footprint), in the order
  // step() receives their values. Throws std::invalid_argument for an
  // operation the model does not know (the caller names the line).
  virtual std::vector<std::string> keys(const LinOp& op) const;
  // nullopt: the operation carries no information and is dropped (a read
  // whose result is unknown). Throws std::invalid_argument when malformed.
  virtual std::optional<Encoded> encode(const LinOp& op, ValuePool& pool) const = 0;
  // The value of `key` before any operation: the model's own default (nil,
  // "", an empty queue...), or what set_initial() gave.
  virtual Value initial(const std::string& key, ValuePool& pool) const = 0;
  // --initial VALUE (Knossos's `(cas-register 0)`): the state before any
  // operation, as the history writes values. Each model says what it takes
  // (one value for every key, or a map key -> value) and keeps it. Throws
  // std::invalid_argument naming what it expected; the default takes none.
  virtual void set_initial(const nlohmann::json& value);

  // Knossos's register models take a read that returned nil as "the value
  // is not known" (it fits any state), because Knossos's histories carry nil
  // for reads that never returned. Éclat reads nil as the value nil, so that
  // a lost write read back as nil is caught; an unknown read is an info.
  // On (--nil-reads-unknown, for histories written Knossos's way), the
  // models with reads (register, cas-register, multi-register) drop an ok
  // read of nil as they drop an info read. Others have no such reads.
  void set_nil_reads_unknown(bool on) { nil_reads_unknown_ = on; }
  bool nil_reads_unknown() const { return nil_reads_unknown_; }
  // Applies `op` to the values of its keys (state[i] is keys(op)[i]), in
  // place. False: the operation's recorded output cannot follow this state.
  virtual bool step(const Encoded& op, Value* state, ValuePool& pool) const = 0;

  // Optional pruning. `op` is a read that does not fit `state` (the values
  // of its keys); `others` are the operations that may still come before
  // it. True only if no sequence of them can make it fit (e.g. kv: appends
  // only lengthen a string, so a state that is not a prefix of what a get
  // returned is hopeless unless a put may come). Must never guess.
  virtual bool hopeless(const Encoded& op, const Value* state,
                        const std::vector<const Encoded*>& others, ValuePool& pool) const {
    return false;
  }

  // Could `other` see the effect of `effect` (an operation that may change
  // the state)? The counterexample's shrinking asks before it drops `effect`:
  // if S + {effect} (effect ok or indeterminate) had a linearization and no
  // operation of S could observe effect's change, removing effect from that
  // linearization leaves a linearization of S; so S not linearizable proves
  // S + {effect} is not. Without that, dropping a write can invent a
  // violation: {read 1} fails alone, though the history had `write 1` before
  // it. Must never answer false wrongly; the default (true) keeps every
  // operation that can change the state. `other` is taken with its outcome
  // as given (an indeterminate read carries nothing, a completed one its value).
  virtual bool may_observe(const LinOp& effect, const LinOp& other) const { return true; }

  // For people: an operation, a value, and why a step is impossible.
  virtual std::string show_op(const LinOp& op) const;
  virtual std::string show_value(Value v, const ValuePool& pool) const { return pool.str(v); }
  virtual std::string why_not(const LinOp& op, const Encoded& e, const Value* state,
                              const ValuePool& pool) const;

 private:
  bool nil_reads_unknown_ = false;
};

using ModelFactory = std::function<std::unique_ptr<Model>()>;
bool register_model(const std::string& name, ModelFactory factory);
std::unique_ptr<Model> make_model(const std::string& name);  // throws BadInput naming the known ones
// A model with its initial state set (null: the model's default); BadInput
// when the model cannot take that value.
std::unique_ptr<Model> make_model(const std::string& name, const nlohmann::json& initial);
std::vector<std::string> model_names();

// Canonical text of a JSON value, for interning (null is "nil", as Jepsen says).
std::string canonical(const nlohmann::json& v);

}  // namespace eclat::lin
