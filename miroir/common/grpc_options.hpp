// One place for how every miroir gRPC endpoint talks: the orchestrator's
// channels to nodes, the harness's clients and both servers use these, so a
// partition or a kill is detected the same way everywhere.
//
// Why these settings:
// - "ipv4:ADDR" targets and no HTTP proxy: the lab has no DNS and no proxy;
//   an inherited http_proxy variable must never reroute test traffic.
// - keepalive 1 s / timeout 1 s, pings allowed without calls: a silently
//   dropped connection (partition, SIGSTOP) is noticed within ~2 s instead of
//   the kernel's minutes-long TCP timeout.
// - reconnect backoff 100 ms .. 1 s: after a heal or restart a node is used
//   again within a second, not gRPC's default 120 s ceiling.
// - servers accept those frequent pings (otherwise they answer GOAWAY
//   "too_many_pings" and drop the client).
// - the client-channel backup poller runs every 100 ms instead of 5 s: a
//   process with no thread polling gRPC (a pure client whose fail-fast RPCs
//   return at once while a node is down) otherwise does not notice that a
//   reconnect completed for up to 5 s; measured here: a restarted node was
//   usable again after ~5 s, after ~0.3 s with this setting.
#pragma once
#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

namespace miroir {

// Large enough for dump-import batches and list pages of 1000 documents.
inline constexpr int kMaxMessageBytes = 64 * 1024 * 1024;

// Process-wide gRPC settings (the backup poll interval above). They are read
// when gRPC initialises, so call this first thing in main(), before any gRPC
// object exists; make_channel() calls it too. Never overrides a value already
// set in the environment.
void init_grpc_process();

grpc::ChannelArguments client_channel_arguments();

// An insecure channel to "host:port" (IPv4 literal) with the arguments above.
std::shared_ptr<grpc::Channel> make_channel(const std::string& address);

// Apply the server-side settings (ping policy, message size) to a builder.
void configure_server(grpc::ServerBuilder& builder);

// Every RPC carries a deadline: a helper to set one relative to now.
void set_deadline(grpc::ClientContext& ctx, std::chrono::milliseconds timeout);

}  // namespace miroir
