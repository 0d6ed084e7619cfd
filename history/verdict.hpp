// A verdict is true, false or unknown; a run's verdict is the worst of its
// checkers' (false > unknown > true), and maps onto the exit code.
#pragma once
#include <nlohmann/json.hpp>

#include "core/errors.hpp"

namespace eclat {

enum class Verdict { valid, unknown, invalid };

inline Verdict worst(Verdict a, Verdict b) { return a > b ? a : b; }

inline nlohmann::json verdict_json(Verdict v) {
  switch (v) {
    case Verdict::valid: return true;
    case Verdict::invalid: return false;
    case Verdict::unknown: return "unknown";
  }
  return "unknown";
}

// The word a scenario's "expected" and the suite use: valid, invalid, unknown.
inline const char* verdict_word(Verdict v) {
  return v == Verdict::valid ? "valid" : v == Verdict::invalid ? "invalid" : "unknown";
}

inline Verdict verdict_from_json(const nlohmann::json& j) {
  if (j.is_boolean()) return j.get<bool>() ? Verdict::valid : Verdict::invalid;
  return Verdict::unknown;
}

inline int exit_code(Verdict v) {
  switch (v) {
    case Verdict::valid: return kExitValid;
    case Verdict::invalid: return kExitInvalid;
    case Verdict::unknown: return kExitUnknown;
  }
  return kExitUnknown;
}

}  // namespace eclat
