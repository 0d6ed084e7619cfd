#include "miroir/common/signals.hpp"

#include <pthread.h>
#include <signal.h>

namespace miroir {

namespace {
sigset_t termination_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}
}  // namespace

void block_termination_signals() {
  sigset_t set = termination_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A peer vanishing mid-write must not kill the process.
  signal(SIGPIPE, SIG_IGN);
}

int wait_for_termination_signal() {
  sigset_t set = termination_set();
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

}  // namespace miroir
