#include "history/pairing.hpp"

#include "core/errors.hpp"

namespace eclat {

void PairingCheck::feed(const Op& op, size_t line) {
  if (op.is_nemesis()) return;
  const std::string at = name_ + ":" + std::to_string(line) + ": ";
  const std::string who = "process " + std::to_string(op.process);
  auto it = open_.find(op.process);
  if (op.type == OpType::invoke) {
    if (it != open_.end())
      throw BadInput(at + who + " invokes " + op.f + " while its " + it->second.f + " of line " +
                     std::to_string(it->second.line) + " has not completed (a process does one operation at a time)");
    open_.emplace(op.process, Open{op.f, line});
    return;
  }
  if (it == open_.end())
    throw BadInput(at + "an " + std::string(to_string(op.type)) + " completion of " + op.f + " by " + who +
                   ", which has no invocation open (every completion follows its process's invocation)");
  if (it->second.f != op.f)
    throw BadInput(at + "the completion is a " + op.f + " but " + who + " invoked a " + it->second.f +
                   " at line " + std::to_string(it->second.line));
  open_.erase(it);
}

void check_pairing(const ReadResult& read, const std::string& name) {
  PairingCheck check(name);
  for (size_t i = 0; i < read.history.size(); ++i)
    check.feed(read.history[i], i < read.lines.size() ? read.lines[i] : i + 1);
}

}  // namespace eclat
