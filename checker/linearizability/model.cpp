#include "checker/linearizability/model.hpp"

#include <stdexcept>

#include "core/errors.hpp"

namespace eclat::lin {

Value ValuePool::intern(std::string_view s) {
  if (auto it = index_.find(s); it != index_.end()) return it->second;
  Value v = static_cast<Value>(values_.size());
  const std::string& stored = values_.emplace_back(s);
  index_.emplace(std::string_view(stored), v);
  bytes_ += 2 * s.size() + 64;
  return v;
}

void Model::set_initial(const nlohmann::json&) {
  throw std::invalid_argument("the " + name() + " model takes no initial state");
}

std::vector<std::string> Model::keys(const LinOp& op) const { return {op.key.value_or("")}; }

std::string canonical(const nlohmann::json& v) {
  if (v.is_null()) return "nil";
  return v.dump();
}

std::string Model::show_op(const LinOp& op) const {
  std::string s = op.f;
  if (op.key) s += " " + *op.key;
  if (!op.input.is_null()) s += " " + op.input.dump();
  if (op.info) return s + " -> ?";
  if (!op.output.is_null() && op.output != op.input) s += " -> " + op.output.dump();
  return s;
}

std::string Model::why_not(const LinOp& op, const Encoded&, const Value* state,
                           const ValuePool& pool) const {
  return show_op(op) + " cannot follow the state " + show_value(state[0], pool);
}

namespace {
std::map<std::string, ModelFactory>& registry() {
  static std::map<std::string, ModelFactory> r;
  return r;
}
}  // namespace

bool register_model(const std::string& name, ModelFactory factory) {
  registry()[name] = std::move(factory);
  return true;
}

std::unique_ptr<Model> make_model(const std::string& name) {
  auto it = registry().find(name);
  if (it == registry().end()) {
    std::string known;
    for (const auto& n : model_names()) known += (known.empty() ? "" : ", ") + n;
    throw BadInput("unknown model \"" + name + "\" (known: " + known + ")");
  }
  return it->second();
}

std::unique_ptr<Model> make_model(const std::string& name, const nlohmann::json& initial) {
  auto model = make_model(name);
  if (initial.is_null()) return model;
  try {
    model->set_initial(initial);
  } catch (const std::invalid_argument& e) {
    throw BadInput("--initial " + initial.dump() + ": " + e.what());
  }
  return model;
}

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const auto& [n, _] : registry()) names.push_back(n);
  return names;
}

}  // namespace eclat::lin
