// Registration by name: faults, workloads, checkers and systems each keep a
// Registry of factories, filled from static initializers in their own files,
// so a scenario can name them and adding one is one file.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/errors.hpp"

namespace eclat {

template <class Factory>
class Registry {
 public:
  // `kind` names the thing in messages: "unknown nemesis \"flood\" (known: ...)".
  explicit Registry(std::string kind, std::string hint = "") : kind_(std::move(kind)), hint_(std::move(hint)) {}

  bool add(const std::string& name, Factory factory) {
    factories_[name] = std::move(factory);
    return true;
  }

  // Throws BadInput naming the unknown name and listing the known ones.
  const Factory& get(const std::string& name) const {
    auto it = factories_.find(name);
    if (it == factories_.end()) {
      std::string known;
      for (const auto& n : names()) known += (known.empty() ? "" : ", ") + n;
      throw BadInput("unknown " + kind_ + " \"" + name + "\" (known: " + known + hint_ + ")");
    }
    return it->second;
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [n, _] : factories_) out.push_back(n);
    return out;
  }

 private:
  std::string kind_, hint_;
  std::map<std::string, Factory> factories_;
};

}  // namespace eclat
