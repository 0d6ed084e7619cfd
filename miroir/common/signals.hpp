// Graceful termination for the miroir servers. SIGTERM/SIGINT are blocked in
// every thread (call block_termination_signals() first thing in main, before
// gRPC starts its threads, so they inherit the mask) and the main thread
// waits for them synchronously: no async-signal-safety puzzles, and the
// shutdown code runs as ordinary code (server Shutdown with a deadline, then
// close the storage). SIGKILL stays what the harness uses to crash a node.
#pragma once

namespace miroir {

void block_termination_signals();
// Blocks until SIGTERM or SIGINT arrives; returns the signal number.
int wait_for_termination_signal();

}  // namespace miroir
