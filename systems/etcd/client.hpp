// The harness's client of one etcd member (etcd's own gRPC API, proto/etcd/),
// in Jepsen's terms.
//
// Keys: register key k is etcd key "register/<k>", set element e is
// "set/<e>"; values are the JSON text of the operation's value.
//
// Operations:
//  read(key)          -> Range of that key; value = the register's value,
//                        null when absent
//  write(key, v)      -> Put
//  cas(key, [old new])-> Txn: if value(key) == old then put new; a compare
//                        that found another value (or no key) is ok with
//                        value false: it ran and changed nothing (Éclat's
//                        encoding of a lost compare; Jepsen's etcd test
//                        says :fail, which drops what the compare saw)
//  add(e)             -> Put "set/<e>"
//  read (no key)      -> Range over the prefix "set/": value = the elements
// Reads are linearizable (etcd's default: a ReadIndex round through the
// leader) or, with serializable reads, served from the member's local state
// (RangeRequest.serializable): fast and possibly stale.
//
// Outcomes. A read changes nothing, so any error is fail. A write is fail
// only when the error proves it was never applied:
//  - "etcdserver: no leader": every write and linearizable read carries
//    etcd's require-leader metadata, so a member that knows no leader refuses
//    it before proposing anything;
//  - "failed to connect to all addresses": gRPC never sent it (no connection);
//  - RESOURCE_EXHAUSTED ("too many requests") and INVALID_ARGUMENT: refused
//    before proposing;
// anything else (deadline exceeded, request timed out, leader changed, a
// connection lost mid-call) is info: the proposal may be committed.
#pragma once
#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/channel.h>

#include "cluster/client.hpp"

namespace eclat {

enum class EtcdReads { linearizable, serializable };

// A channel to an etcd member ("ip:port") with the lab's settings: no proxy,
// fast reconnects after a restart, room for a whole set in one Range.
std::shared_ptr<grpc::Channel> make_etcd_channel(const std::string& address);

std::unique_ptr<Client> make_etcd_client(const std::string& member_address, std::chrono::milliseconds op_timeout,
                                         EtcdReads reads);

}  // namespace eclat
