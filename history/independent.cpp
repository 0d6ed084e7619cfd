#include "history/independent.hpp"

#include <unordered_map>

#include "core/errors.hpp"

namespace eclat {

std::string key_text(const nlohmann::json& key) {
  return key.is_string() ? key.get<std::string>() : key.dump();
}

void unpack_independent(ReadResult& r, const std::string& name) {
  std::unordered_map<int64_t, std::string> open;  // process -> its invocation's key
  for (size_t i = 0; i < r.history.size(); ++i) {
    Op& op = r.history[i];
    if (op.is_nemesis()) continue;
    auto at = [&] { return name + ":" + std::to_string(i < r.lines.size() ? r.lines[i] : i + 1) + ": "; };
    if (op.key) throw BadInput(at() + "--independent: the operation already has a key (" + *op.key + ")");
    const bool pair = op.value.is_array() && op.value.size() == 2;
    if (op.type == OpType::invoke) {
      if (!pair)
        throw BadInput(at() + "--independent: the value must be a [key value] pair, got " + op.value.dump());
      op.key = key_text(op.value[0]);
      open[op.process] = *op.key;
      nlohmann::json v = std::move(op.value[1]);
      op.value = std::move(v);
      continue;
    }
    auto it = open.find(op.process);
    if (it == open.end()) continue;  // unpaired: the pairing check names it
    if (pair) {
      if (key_text(op.value[0]) != it->second)
        throw BadInput(at() + "--independent: the completion's key " + key_text(op.value[0]) +
                       " is not its invocation's (" + it->second + ")");
      nlohmann::json v = std::move(op.value[1]);
      op.value = std::move(v);
    }
    op.key = it->second;
    open.erase(it);
  }
}

}  // namespace eclat
