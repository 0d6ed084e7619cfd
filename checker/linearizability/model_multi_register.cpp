// multi-register: a register per key, initially nil (or --initial's map), and transactions that
// read and write several of them atomically (Jepsen's multi-register):
//   {"f":"txn","value":[["r","x",null],["w","y",2]]}   (invocation)
//   {"f":"txn","value":[["r","x",1],["w","y",2]]}      (completion: reads filled)
// Also `read`/`write` of one key (op key, scalar value) or of several (value
// an object {"x":1,"y":2}). A transaction's footprint is every key it names.
// An info transaction's writes may have happened at any time after its
// invocation; its reads say nothing, and a read-only info one is dropped.
#include <algorithm>
#include <map>
#include <stdexcept>

#include "checker/linearizability/model.hpp"

namespace eclat::lin {
namespace {

struct Micro {
  bool write;
  std::string key;
  nlohmann::json value;
};

std::vector<Micro> micro_ops(const LinOp& op, const nlohmann::json& value) {
  std::vector<Micro> out;
  if (op.f == "txn") {
    if (!value.is_array()) throw std::invalid_argument("a txn value must be a list of [f key value]");
    for (const auto& m : value) {
      if (!m.is_array() || m.size() < 2 || m.size() > 3 || !m[0].is_string())
        throw std::invalid_argument("a txn micro-operation must be [f key value]");
      std::string f = m[0].get<std::string>();
      bool w;
      if (f == "r" || f == "read") w = false;
      else if (f == "w" || f == "write") w = true;
      else throw std::invalid_argument("a txn micro-operation is r or w, not \"" + f + "\"");
      std::string key = m[1].is_string() ? m[1].get<std::string>() : m[1].dump();
      out.push_back({w, key, m.size() == 3 ? m[2] : nlohmann::json()});
    }
  } else if (op.f == "read" || op.f == "write") {
    bool w = op.f == "write";
    if (value.is_object() && !op.key) {
      for (const auto& [k, v] : value.items()) out.push_back({w, k, v});
    } else {
      out.push_back({w, op.key.value_or(""), value});
    }
  } else {
    throw std::invalid_argument("the multi-register model knows txn, read and write, not \"" +
                                op.f + "\"");
  }
  return out;
}

class MultiRegister : public Model {
 public:
  std::string name() const override { return "multi-register"; }
  std::string describe() const override {
    return "registers per key, initially nil, read and written by transactions [[r k v] [w k v]]";
  }

  std::vector<std::string> keys(const LinOp& op) const override {
    std::vector<std::string> ks;
    for (const auto& m : micro_ops(op, op.input)) ks.push_back(m.key);
    std::sort(ks.begin(), ks.end());
    ks.erase(std::unique(ks.begin(), ks.end()), ks.end());
    return ks;
  }

  // args: per micro-operation (slot, write?, value)
  std::optional<Encoded> encode(const LinOp& op, ValuePool& pool) const override {
    auto ks = keys(op);
    auto in = micro_ops(op, op.input);
    std::vector<Micro> ms = in;
    if (!op.info && !op.output.is_null()) {
      auto out = micro_ops(op, op.output);
      if (out.size() != in.size())
        throw std::invalid_argument("the completion's transaction differs from the invocation's");
      for (size_t i = 0; i < in.size(); ++i) {
        if (out[i].key != in[i].key || out[i].write != in[i].write)
          throw std::invalid_argument("the completion's transaction differs from the invocation's");
        if (!in[i].write) ms[i].value = out[i].value;
      }
    }
    Encoded e;
    e.info = op.info;
    e.pure = true;
    for (const auto& m : ms) {
      if (op.info && !m.write) continue;  // an unknown read says nothing
      if (!m.write && m.value.is_null() && nil_reads_unknown()) continue;  // Knossos's reading
      if (m.write) e.pure = false;
      Value slot = static_cast<Value>(std::lower_bound(ks.begin(), ks.end(), m.key) - ks.begin());
      e.args.insert(e.args.end(), {slot, m.write ? 1u : 0u, pool.intern(canonical(m.value))});
    }
    if (e.args.empty()) return std::nullopt;
    return e;
  }

  // --initial {"x": 0, "y": 0} (Knossos's `(multi-register {:x 0 :y 0})`):
  // each named register starts there, the others at nil.
  void set_initial(const nlohmann::json& v) override {
    if (!v.is_object())
      throw std::invalid_argument("the multi-register model takes a map of key to value, e.g. {:x 0 :y 0}");
    initial_.clear();
    for (const auto& [k, val] : v.items()) initial_[k] = canonical(val);
  }
  Value initial(const std::string& key, ValuePool& pool) const override {
    auto it = initial_.find(key);
    return pool.intern(it == initial_.end() ? "nil" : it->second);
  }

  // A register written by `effect` holds its value until the next write of
  // it; only a read of that key returning that value can tell. An
  // indeterminate transaction's reads say nothing.
  bool may_observe(const LinOp& effect, const LinOp& other) const override {
    if (other.info) return false;
    // A completion without a value reads what its invocation names (encode()).
    const nlohmann::json& seen = other.output.is_null() ? other.input : other.output;
    try {
      std::map<std::string, std::vector<std::string>> written;
      for (const auto& m : micro_ops(effect, effect.input))
        if (m.write) written[m.key].push_back(canonical(m.value));
      for (const auto& m : micro_ops(other, seen)) {
        if (m.write) continue;
        auto it = written.find(m.key);
        if (it == written.end()) continue;
        for (const auto& v : it->second)
          if (v == canonical(m.value)) return true;
      }
      return false;
    } catch (const std::exception&) {
      return true;  // malformed: never drop
    }
  }

  bool step(const Encoded& op, Value* state, ValuePool&) const override {
    for (size_t i = 0; i + 3 <= op.args.size(); i += 3) {
      Value& s = state[op.args[i]];
      if (op.args[i + 1]) s = op.args[i + 2];
      else if (s != op.args[i + 2]) return false;
    }
    return true;
  }

  std::string why_not(const LinOp& op, const Encoded& e, const Value* state,
                      const ValuePool& pool) const override {
    auto ks = keys(op);
    std::vector<Value> st(state, state + ks.size());
    for (size_t i = 0; i + 3 <= e.args.size(); i += 3) {
      Value& s = st[e.args[i]];
      if (e.args[i + 1]) {
        s = e.args[i + 2];
      } else if (s != e.args[i + 2]) {
        return "it read " + ks[e.args[i]] + " = " + pool.str(e.args[i + 2]) + " but " +
               ks[e.args[i]] + " held " + pool.str(s);
      }
    }
    return Model::why_not(op, e, state, pool);
  }

 private:
  std::map<std::string, std::string> initial_;  // key -> canonical value
};

const bool registered =
    register_model("multi-register", [] { return std::make_unique<MultiRegister>(); });

}  // namespace
}  // namespace eclat::lin
