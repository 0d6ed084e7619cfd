// Netfilter inside one lab host's network namespace: nft commands through
// libnftables (Debian's libnftables1), and programs run in the namespace
// (iptables, for the NFQUEUE target this kernel offers only through
// iptables' compatibility layer). Rules live in the host's namespace and
// vanish with it; the host network is never touched.
#pragma once
#include <string>
#include <vector>

#include "cluster/network.hpp"

namespace eclat {

// Runs `commands` (nft syntax, several lines allowed) in the host's
// namespace. HarnessError with nft's own message when it refuses them.
void nft_in(const Network& net, const Host& host, const std::string& commands);

// Deletes an nft table of the host if it exists (nft 1.0.6 has no
// "destroy": the table is added first, which is a no-op when it exists).
void nft_drop_table(const Network& net, const Host& host, const std::string& family_and_name);

// Runs argv in the host's namespace (PATH lookup), waits for it.
// HarnessError with its output when it exits non-zero.
void run_program_in(const Network& net, const Host& host, const std::vector<std::string>& argv);

// Both, from the calling thread's current namespace (the kernel probe runs
// them in a scratch namespace).
void nft_here(const std::string& commands);
void run_program_here(const std::vector<std::string>& argv);

}  // namespace eclat
