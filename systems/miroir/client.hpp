// The harness's client of a miroir orchestrator, in Jepsen's terms.
#pragma once
#include <chrono>
#include <memory>
#include <string>

#include "cluster/client.hpp"

namespace eclat {

// Operations:
//  add(value e)  -> inserts document {"id": e, "value": e}; ok once its task
//                   succeeded; fail only when every node target refused it
//                   outright; info otherwise (timeout, lost reply, no quorum
//                   with some enqueues: the document may still appear).
//  overwrite(key, version) -> replaces hot document `key` {"id", "value":
//                   version, "hot": true}; acknowledged like add
//  read (no key) -> lists every document of every shard; value = the ids
//                   (hot documents left out: they are not set elements);
//                   fail when a shard could not be read (reads change nothing).
std::unique_ptr<Client> make_miroir_client(const std::string& orchestrator_address,
                                           std::chrono::milliseconds op_timeout);

}  // namespace eclat
