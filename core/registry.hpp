// Registration by name: systems, workloads, faults and checkers each keep a
// Registry of factories, filled from static initialisers in their own files
// (FoundationDB's WorkloadFactory), so a scenario can name them and adding
// one is one file: its folder's sources are globbed, its record (doc,
// settings, colour...) goes to the catalog (core/catalog.hpp).
#pragma once
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/catalog.hpp"
#include "core/errors.hpp"
#include "core/flags.hpp"

namespace eclat {

template <class Factory>
class Registry {
 public:
  // `hint` ends the list of known names in messages (", or none").
  explicit Registry(PartKind kind, std::string hint = "") : kind_(kind), hint_(std::move(hint)) {}

  // A second registration of one name is a programming error: it throws
  // std::logic_error (from a static initialiser, the binary aborts at start
  // naming it) instead of silently replacing the first.
  bool add(PartInfo info, Factory factory) {
    const std::string name = info.name;
    if (factories_.count(name))
      throw std::logic_error(std::string("two registrations of the ") + part_kind_name(kind_) + " \"" + name + "\"");
    catalog().add(kind_, std::move(info));
    factories_[name] = std::move(factory);
    return true;
  }

  // Throws BadInput naming the unknown name and listing the known ones.
  const Factory& get(const std::string& name) const {
    auto it = factories_.find(name);
    if (it == factories_.end()) {
      std::string known;
      for (const auto& n : names()) known += (known.empty() ? "" : ", ") + n;
      const std::string near = closest_name(name, names());
      throw BadInput(std::string("unknown ") + part_kind_name(kind_) + " \"" + name + "\" (" +
                     (near.empty() ? "" : "did you mean " + near + "? ") + "known: " + known + hint_ + ")");
    }
    return it->second;
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [n, _] : factories_) out.push_back(n);
    return out;
  }

 private:
  PartKind kind_;
  std::string hint_;
  std::map<std::string, Factory> factories_;
};

}  // namespace eclat
