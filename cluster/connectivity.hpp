// The lab's connectivity measured with real packets: a TCP listener in every
// host and a connect from every host to every other one. The final heal
// check uses it ("the lab is fully connected again"), and so can tests.
#pragma once
#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <utility>

#include "cluster/network.hpp"

namespace eclat {

// The directed links (from, to) over which a TCP connect did not complete
// within `timeout`, among all the lab's hosts. Connects from each host run
// on their own thread, so a broken lab costs about (hosts - 1) * timeout.
// `port` must be free in every host.
std::set<std::pair<std::string, std::string>> broken_links(const Network& net, uint16_t port = 7199,
                                                           std::chrono::milliseconds timeout =
                                                               std::chrono::milliseconds(1000));

}  // namespace eclat
