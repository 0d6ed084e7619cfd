// What every command's flag parsing shares.
#pragma once
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.hpp"

namespace eclat {

// A flag that takes one value, given twice, is refused: which one was meant
// is not ours to guess (a script appending its own --seed to a user's).
// `repeatable` lists the flags that accumulate (--bug, --checker, --set).
inline void refuse_repeated_flags(const std::vector<std::string>& args,
                                  std::initializer_list<std::string_view> repeatable = {}) {
  std::set<std::string> seen;
  for (const auto& a : args) {
    if (a.rfind("--", 0) != 0) continue;
    bool repeats = false;
    for (auto r : repeatable) repeats = repeats || a == r;
    if (!repeats && !seen.insert(a).second) throw BadInput(a + " given twice (it takes one value)");
  }
}

// Every argument must be UTF-8: it lands in scenario.json and results.json,
// and JSON cannot hold other bytes (found by fuzz_args: an --set value with
// a stray 0x9C byte failed after the lab was up).
void refuse_invalid_utf8(const std::vector<std::string>& args);

// A directory Éclat will write into (a --results, an --out), checked before
// anything starts and without creating it: the nearest part of the path
// that exists must be a directory this process may write. BadInput naming
// the flag otherwise.
void check_writable_dir(const std::string& path, const std::string& flag);

// "--flag=value" becomes "--flag" "value" (split at the first '='), so every
// command takes both spellings; "--set=k=v" is "--set" "k=v".
std::vector<std::string> split_flag_values(const std::vector<std::string>& args);

// The closest of `known` to `given` when it is a plausible misspelling (a
// few edits apart), else empty.
std::string closest_name(std::string_view given, const std::vector<std::string>& known);

// BadInput for an unknown flag, suggesting the nearest flag that `usage`
// (the command's --help text) names: unknown flag "--time-limt" (did you
// mean --time-limit? see eclat test --help).
BadInput unknown_flag(const std::string& flag, std::string_view usage, const std::string& command);

}  // namespace eclat
