// A tiny command-line parser for the miroir binaries: "--key value" or
// "--key=value" for the declared flags, anything else is a usage error.
// Both binaries print their usage and exit 2 on a bad flag (the harness
// treats 2 from a node start as a configuration mistake, not a crash).
#pragma once
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace miroir {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Flags {
 public:
  // `known`: flags that take a value; `repeatable`: may be given several times.
  Flags(std::set<std::string> known, std::set<std::string> repeatable = {});

  // Throws UsageError naming the bad argument. "--help"/"-h" set help().
  void parse(int argc, char** argv);

  bool help() const { return help_; }
  std::optional<std::string> get(const std::string& key) const;
  // Throws UsageError "missing --key" when absent.
  std::string required(const std::string& key) const;
  std::vector<std::string> all(const std::string& key) const;

 private:
  std::set<std::string> known_, repeatable_;
  std::map<std::string, std::vector<std::string>> values_;
  bool help_ = false;
};

// Print "error: <what>" and the usage to stderr, then exit(2).
[[noreturn]] void usage_exit(const std::string& usage, const std::string& what);

}  // namespace miroir
