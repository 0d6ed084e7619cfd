// The "why it failed" block: for an invalid or unknown run, the evidence a
// person needs before opening any file, per failing checker (a
// counterexample's operations with their history outcomes and times; lost
// writes grouped by shard and owners and set against the faults around their
// acknowledgement; the commonest errors), why an unknown is unknown, and the
// commands that reproduce the run. Built from results.json and the history,
// so `eclat test`, `eclat check` and the suite's JUnit report show the same
// block. results.json carries it as "why".
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "history/history.hpp"

namespace eclat {

class System;

struct WhyInput {
  const nlohmann::json& results;         // what run_checkers composed (plus "error", "run")
  const History& history;                // for the fault intervals and the errors
  std::filesystem::path run_dir;         // where the pictures are (empty: none written)
  const System* system = nullptr;        // placement of lost keys, when the system can tell
  std::vector<std::string> reproduce;    // commands, most faithful first
};

// Null for a valid run.
nlohmann::json why_failed(const WhyInput& in);

// The block as the terminal and JUnit show it (empty for null).
std::string why_failed_text(const nlohmann::json& why);

}  // namespace eclat
