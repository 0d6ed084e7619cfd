// Reads. get-by-id asks one owner of the id's shard: the group round robin
// (per orchestrator), then round robin among that group's owners, skipping
// owners the health prober knows down while another one is up. It does not
// fail over: an owner that does not answer is reported
// (miroir_shard_unavailable), as upstream does.
// list pages every shard 0..S-1 from one owner at a time by offset, moving to
// the next write target when one fails; a shard nobody answers for yields a
// page with miroir_shard_unavailable, never a silent gap. What follows that
// page depends on --unavailable-shards (options.hpp):
//   partial  the other shards are listed as usual;
//   error    listing stops: that page is the last one, and the stream still
//            ends with an OK status. The contract keeps non-OK statuses for
//            transport or server trouble; the refusal is the page's
//            error_code, and a client must treat a listing that carries one
//            as failed (under either policy, it is incomplete).
// list with all_copies reads every copy of every shard (all groups) to the
// end and answers the union, counting per page the documents some copy
// lacks: checkers ask "is this acknowledged write anywhere". During a
// migration the copies are the read owners, the write owners and the
// dual-write targets (topology.hpp); a plain list pages the read owners.
#pragma once
#include <atomic>
#include <functional>

#include "miroir.pb.h"
#include "miroir/orchestrator/node_clients.hpp"
#include "miroir/orchestrator/node_states.hpp"
#include "miroir/orchestrator/options.hpp"
#include "miroir/orchestrator/topology.hpp"

namespace miroir::orchestrator {

class ReadPath {
 public:
  ReadPath(const Topology& topology, NodeClients& nodes, const NodeStates& states,
           UnavailableShards unavailable_shards = UnavailableShards::partial, BugSwitches bugs = {});

  GetReply get(const GetRequest& request);
  // emit() returns false when the client went away: listing stops.
  void list(const ListRequest& request, const std::function<bool(const ListPage&)>& emit);

 private:
  const Topology& topology_;
  NodeClients& nodes_;
  const NodeStates& states_;
  UnavailableShards unavailable_shards_;
  void list_all_copies(const std::string& index, uint32_t limit,
                       const std::function<bool(const ListPage&)>& emit);
  bool unavailable(uint32_t shard, const std::string& why,
                   const std::function<bool(const ListPage&)>& emit) const;
  bool page_of(int node, const std::string& index, uint32_t shard, uint64_t offset, uint32_t limit,
               NodeListReply* reply, std::string* error);

  const BugSwitches bugs_;
  std::atomic<uint64_t> round_robin_{0};  // get-by-id: group and replica turns
};

}  // namespace miroir::orchestrator
