// A client performs one operation against the system under test and says how
// it ended, in Jepsen's terms: ok (took effect), fail (certainly did not),
// info (unknown: timeout, crash, lost reply). Claiming fail when the effect is
// possible would make the checkers lie, so a client says info when in doubt.
#pragma once
#include "history/history.hpp"

namespace eclat {

class Client {
 public:
  virtual ~Client() = default;
  // `invocation` has f, key and value set. Returns the completion: type
  // (ok/fail/info), value (e.g. what a read saw) and error text.
  virtual Op invoke(const Op& invocation) = 0;
};

}  // namespace eclat
