#include "miroir/common/flags.hpp"

#include <cstdlib>
#include <iostream>

namespace miroir {

Flags::Flags(std::set<std::string> known, std::set<std::string> repeatable)
    : known_(std::move(known)), repeatable_(std::move(repeatable)) {
  for (const auto& r : repeatable_) known_.insert(r);
}

void Flags::parse(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      help_ = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) throw UsageError("unexpected argument \"" + arg + "\"");
    std::string key = arg.substr(2), value;
    bool has_value = false;
    if (auto eq = key.find('='); eq != std::string::npos) {
      value = key.substr(eq + 1);
      key = key.substr(0, eq);
      has_value = true;
    }
    if (!known_.count(key)) throw UsageError("unknown flag --" + key);
    if (!has_value) {
      if (i + 1 >= argc) throw UsageError("flag --" + key + " needs a value");
      value = argv[++i];
    }
    auto& vs = values_[key];
    if (!vs.empty() && !repeatable_.count(key))
      throw UsageError("flag --" + key + " given more than once");
    vs.push_back(value);
  }
}

std::optional<std::string> Flags::get(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::string Flags::required(const std::string& key) const {
  auto v = get(key);
  if (!v || v->empty()) throw UsageError("missing --" + key);
  return *v;
}

std::vector<std::string> Flags::all(const std::string& key) const {
  auto it = values_.find(key);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

void usage_exit(const std::string& usage, const std::string& what) {
  std::cerr << "error: " << what << "\n\n" << usage;
  std::exit(2);
}

}  // namespace miroir
