#include "systems/etcd/client.hpp"

#include <algorithm>
#include <cstdlib>

#include <grpcpp/grpcpp.h>

#include "etcd/rpc.grpc.pb.h"

namespace eclat {
namespace {

using std::chrono::milliseconds;

const std::string kRegisterPrefix = "register/";
const std::string kSetPrefix = "set/";
// The end of the range of keys starting with "set/": '/' + 1 == '0'.
const std::string kSetRangeEnd = "set0";

// etcd's require-leader metadata (clientv3.WithRequireLeader): a member that
// knows no leader answers "etcdserver: no leader" before proposing.
constexpr const char* kRequireLeaderKey = "hasleader";
constexpr const char* kRequireLeaderValue = "true";
constexpr const char* kNoLeader = "etcdserver: no leader";
// gRPC's message when the call could not be given to any connection.
constexpr const char* kNeverSent = "failed to connect to all addresses";

std::string status_text(const grpc::Status& st) {
  return "grpc " + std::to_string(st.error_code()) + " " + st.error_message();
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// True when the error proves that a write was not applied (see the header).
bool definitely_not_applied(const grpc::Status& st) {
  switch (st.error_code()) {
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::INVALID_ARGUMENT:
      return true;
    case grpc::StatusCode::UNAVAILABLE:
      return st.error_message() == kNoLeader || starts_with(st.error_message(), kNeverSent);
    default:
      return false;
  }
}

class EtcdClient : public Client {
 public:
  EtcdClient(const std::string& address, milliseconds op_timeout, EtcdReads reads)
      : stub_(etcdserverpb::KV::NewStub(make_etcd_channel(address))), timeout_(op_timeout), reads_(reads) {}

  Op invoke(const Op& inv) override {
    if (inv.f == "read" && inv.key) return get(inv);
    if (inv.f == "read") return read_set(inv);
    if (inv.f == "write" && inv.key) return put(inv, kRegisterPrefix + *inv.key);
    if (inv.f == "add") return put(inv, kSetPrefix + inv.value.dump());
    if (inv.f == "cas" && inv.key && inv.value.is_array() && inv.value.size() == 2) return cas(inv);
    Op r = inv;
    r.type = OpType::fail;
    r.error = "etcd client: unsupported operation " + inv.f;
    return r;
  }

 private:
  void prepare(grpc::ClientContext& ctx, bool require_leader) const {
    ctx.set_deadline(std::chrono::system_clock::now() + timeout_);
    if (require_leader) ctx.AddMetadata(kRequireLeaderKey, kRequireLeaderValue);
  }

  // Serializable reads must not carry require-leader: etcd's point is that
  // they are served locally whatever the member knows.
  bool linearizable_reads() const { return reads_ == EtcdReads::linearizable; }

  Op get(const Op& inv) {
    Op r = inv;
    etcdserverpb::RangeRequest req;
    req.set_key(kRegisterPrefix + *inv.key);
    req.set_serializable(!linearizable_reads());
    etcdserverpb::RangeResponse rep;
    grpc::ClientContext ctx;
    prepare(ctx, linearizable_reads());
    grpc::Status st = stub_->Range(&ctx, req, &rep);
    if (!st.ok()) return failed(r, "range", st);
    r.type = OpType::ok;
    r.value = nullptr;
    if (rep.kvs_size() > 0) {
      try {
        r.value = nlohmann::json::parse(rep.kvs(0).value());
      } catch (const std::exception&) {
        r.type = OpType::fail;
        r.error = "unreadable value of " + req.key() + ": " + rep.kvs(0).value();
      }
    }
    return r;
  }

  Op read_set(const Op& inv) {
    Op r = inv;
    etcdserverpb::RangeRequest req;
    req.set_key(kSetPrefix);
    req.set_range_end(kSetRangeEnd);
    req.set_serializable(!linearizable_reads());
    etcdserverpb::RangeResponse rep;
    grpc::ClientContext ctx;
    prepare(ctx, linearizable_reads());
    // A whole set in one answer: give it at least 30 s, as miroir's list.
    ctx.set_deadline(std::chrono::system_clock::now() + std::max(timeout_, milliseconds(30000)));
    grpc::Status st = stub_->Range(&ctx, req, &rep);
    if (!st.ok()) return failed(r, "range set/", st);
    nlohmann::json elements = nlohmann::json::array();
    for (const auto& kv : rep.kvs()) {
      try {
        elements.push_back(nlohmann::json::parse(kv.value()));
      } catch (const std::exception&) {
        r.type = OpType::fail;
        r.error = "unreadable value of " + kv.key() + ": " + kv.value();
        return r;
      }
    }
    if (rep.more()) {  // no limit was set: etcd should never say so
      r.type = OpType::fail;
      r.error = "range set/ returned a partial answer";
      return r;
    }
    r.type = OpType::ok;
    r.value = std::move(elements);
    return r;
  }

  Op put(const Op& inv, const std::string& key) {
    Op r = inv;
    etcdserverpb::PutRequest req;
    req.set_key(key);
    req.set_value(inv.value.dump());
    etcdserverpb::PutResponse rep;
    grpc::ClientContext ctx;
    prepare(ctx, true);
    grpc::Status st = stub_->Put(&ctx, req, &rep);
    if (!st.ok()) return unsure(r, "put", st);
    r.type = OpType::ok;
    return r;
  }

  Op cas(const Op& inv) {
    Op r = inv;
    const std::string key = kRegisterPrefix + *inv.key;
    etcdserverpb::TxnRequest req;
    auto* cmp = req.add_compare();
    cmp->set_key(key);
    cmp->set_target(etcdserverpb::Compare::VALUE);
    cmp->set_result(etcdserverpb::Compare::EQUAL);
    cmp->set_value(inv.value[0].dump());
    auto* put = req.add_success()->mutable_request_put();
    put->set_key(key);
    put->set_value(inv.value[1].dump());
    etcdserverpb::TxnResponse rep;
    grpc::ClientContext ctx;
    prepare(ctx, true);
    grpc::Status st = stub_->Txn(&ctx, req, &rep);
    if (!st.ok()) return unsure(r, "txn", st);
    if (!rep.succeeded()) {
      // The compare ran and found another value (or no key): it happened and
      // changed nothing. Éclat's encoding of a lost compare is an ok whose
      // value is false (README, "Checking linearizability"): the checker
      // then also knows the register did not hold `old` at that point.
      r.type = OpType::ok;
      r.value = false;
      return r;
    }
    r.type = OpType::ok;
    return r;
  }

  // A read: it changed nothing, whatever happened.
  static Op failed(Op r, const char* what, const grpc::Status& st) {
    r.type = OpType::fail;
    r.error = std::string(what) + ": " + status_text(st);
    return r;
  }

  // A write that did not answer ok: fail only when it certainly was not applied.
  static Op unsure(Op r, const char* what, const grpc::Status& st) {
    r.type = definitely_not_applied(st) ? OpType::fail : OpType::info;
    r.error = std::string(what) + ": " + status_text(st);
    return r;
  }

  std::unique_ptr<etcdserverpb::KV::Stub> stub_;
  milliseconds timeout_;
  EtcdReads reads_;
};

}  // namespace

std::shared_ptr<grpc::Channel> make_etcd_channel(const std::string& address) {
  // A process with no thread polling gRPC otherwise notices a completed
  // reconnect up to 5 s late (see miroir/common/grpc_options.hpp).
  setenv("GRPC_CLIENT_CHANNEL_BACKUP_POLL_INTERVAL_MS", "100", /*overwrite=*/0);
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);  // the lab has no proxy; never reroute
  // Back within a second after a member restarts, not gRPC's 120 s ceiling.
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // No keepalive pings: etcd's server refuses pings more frequent than
  // --grpc-keepalive-min-time (GOAWAY "too_many_pings", which would turn
  // in-flight writes into info). Per-request deadlines bound every call.
  args.SetMaxReceiveMessageSize(256 * 1024 * 1024);  // a whole set in one Range
  return grpc::CreateCustomChannel("ipv4:" + address, grpc::InsecureChannelCredentials(), args);
}

std::unique_ptr<Client> make_etcd_client(const std::string& member_address, milliseconds op_timeout,
                                         EtcdReads reads) {
  return std::make_unique<EtcdClient>(member_address, op_timeout, reads);
}

}  // namespace eclat
