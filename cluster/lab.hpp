// The lab: the control process moves into private namespaces before it starts
// any thread, so no fault can touch the host network and every node process
// dies with the control process, even when it is killed with SIGKILL.
#pragma once

namespace eclat::lab {

// Call first in main(), before any thread exists. Unshares user (only when not
// root, mapping the caller's uid/gid to root), mount, pid and network
// namespaces, then forks:
//  - the parent stays outside, forwards SIGINT/SIGTERM/SIGHUP to the child,
//    waits, and exits with the child's exit status (it never returns);
//  - the child is PID 1 of the new pid namespace, has PR_SET_PDEATHSIG=SIGKILL
//    (so it dies with the parent), has mounts made private and a fresh /proc,
//    and returns from enter().
// When PID 1 dies the kernel kills every node process; when the last process
// of the network namespace dies, every interface of the lab disappears.
// Throws HarnessError (with the failing syscall and errno text) on failure.
void enter();

// True once enter() has returned in the child.
bool inside();

}  // namespace eclat::lab
