#include "checker/linearizability/collection.hpp"

#include <algorithm>
#include <stdexcept>

namespace eclat::lin {

Collections& Collections::of(ValuePool& pool) {
  if (!pool.model_data) pool.model_data = std::make_shared<Collections>();
  return *static_cast<Collections*>(pool.model_data.get());
}

const Collections* Collections::find(const ValuePool& pool) {
  return static_cast<const Collections*>(pool.model_data.get());
}

Value Collections::make(ValuePool& pool, const std::vector<Value>& elems, const char* open,
                        const char* close) {
  std::string text = open;
  for (size_t i = 0; i < elems.size(); ++i) {
    if (i) text += ',';
    text += pool.str(elems[i]);
  }
  text += close;
  Value v = pool.intern(text);
  if (elements_.emplace(v, elems).second) pool.charge(64 + elems.size() * sizeof(Value));
  return v;
}

const std::vector<Value>& Collections::elements(Value state) const {
  auto it = elements_.find(state);
  if (it == elements_.end()) throw std::logic_error("a collection state that was never made");
  return it->second;
}

bool Collections::cached(uint32_t kind, Value state, Value arg, Value& out) const {
  const auto& m = steps_.at(kind);
  auto it = m.find((uint64_t{state} << 32) | arg);
  if (it == m.end()) return false;
  out = it->second;
  return true;
}

void Collections::remember(ValuePool& pool, uint32_t kind, Value state, Value arg, Value out) {
  if (steps_.at(kind).emplace((uint64_t{state} << 32) | arg, out).second) pool.charge(48);
}

size_t Collections::position(const ValuePool& pool, const std::vector<Value>& elems, Value x) {
  const std::string& s = pool.str(x);
  return static_cast<size_t>(
      std::lower_bound(elems.begin(), elems.end(), s,
                       [&](Value e, const std::string& t) { return pool.str(e) < t; }) -
      elems.begin());
}

std::vector<std::string> list_texts(const nlohmann::json& v, const std::string& what) {
  if (!v.is_array()) throw std::invalid_argument(what + " a list of elements, e.g. [1, 2, 3], not " + v.dump());
  std::vector<std::string> out;
  out.reserve(v.size());
  for (const auto& x : v) out.push_back(canonical(x));
  return out;
}

std::vector<Value> intern_all(const std::vector<std::string>& texts, ValuePool& pool) {
  std::vector<Value> out;
  out.reserve(texts.size());
  for (const auto& t : texts) out.push_back(pool.intern(t));
  return out;
}

bool queue_may_observe(const LinOp& effect, const LinOp& other) {
  if (effect.key != other.key) return false;
  if (effect.f != "enqueue") return true;
  if (other.f == "enqueue") return false;
  if (other.f != "dequeue") return true;
  if (other.info) return false;
  return canonical(other.output) == canonical(effect.input);
}

}  // namespace eclat::lin
