// Client-side helpers for the miroir orchestrator tests: one call per RPC
// with a deadline (the gRPC status is checked, application errors are left to
// the test), test corpora, and routing questions ("an id whose shard lives on
// n2") answered with the shared routing functions.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "miroir.grpc.pb.h"
#include "miroir/common/cluster_config.hpp"
#include "miroir/common/grpc_options.hpp"
#include "miroir/common/routing.hpp"

namespace miroir::test {

using namespace std::chrono_literals;

inline WriteReply add(Orchestrator::Stub& stub, const std::vector<std::string>& docs, bool merge = false) {
  WriteRequest req;
  for (const auto& d : docs) req.add_documents(d);
  req.set_merge(merge);
  WriteReply reply;
  grpc::ClientContext ctx;
  set_deadline(ctx, 10s);
  auto st = stub.AddDocuments(&ctx, req, &reply);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return reply;
}

inline WriteReply delete_ids(Orchestrator::Stub& stub, const std::vector<std::string>& ids) {
  DeleteRequest req;
  for (const auto& id : ids) req.add_ids(id);
  WriteReply reply;
  grpc::ClientContext ctx;
  set_deadline(ctx, 10s);
  auto st = stub.DeleteDocuments(&ctx, req, &reply);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return reply;
}

inline TaskReply task(Orchestrator::Stub& stub, const std::string& id, uint32_t wait_ms = 10000) {
  TaskRequest req;
  req.set_task_id(id);
  req.set_wait_ms(wait_ms);
  TaskReply reply;
  grpc::ClientContext ctx;
  set_deadline(ctx, std::chrono::milliseconds(wait_ms) + 5s);
  auto st = stub.GetTask(&ctx, req, &reply);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return reply;
}

inline GetReply get(Orchestrator::Stub& stub, const std::string& id) {
  GetRequest req;
  req.set_id(id);
  GetReply reply;
  grpc::ClientContext ctx;
  set_deadline(ctx, 5s);
  auto st = stub.GetDocument(&ctx, req, &reply);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return reply;
}

inline std::vector<ListPage> list(Orchestrator::Stub& stub, uint32_t page_size, bool all_copies = false) {
  ListRequest req;
  req.set_page_size(page_size);
  req.set_all_copies(all_copies);
  grpc::ClientContext ctx;
  set_deadline(ctx, 20s);
  auto reader = stub.ListDocuments(&ctx, req);
  std::vector<ListPage> pages;
  for (ListPage p; reader->Read(&p);) pages.push_back(p);
  auto st = reader->Finish();
  EXPECT_TRUE(st.ok()) << st.error_message();
  return pages;
}

inline ClusterStatsReply cluster_stats(Orchestrator::Stub& stub) {
  Empty e;
  ClusterStatsReply reply;
  grpc::ClientContext ctx;
  set_deadline(ctx, 5s);
  EXPECT_TRUE(stub.ClusterStats(&ctx, e, &reply).ok());
  return reply;
}

// The document as one node holds it (nullopt: not there).
inline std::optional<nlohmann::json> node_get(Node::Stub& node, const std::string& id) {
  NodeGetRequest r;
  r.set_index("docs");
  r.set_id(id);
  NodeGetReply nr;
  grpc::ClientContext ctx;
  set_deadline(ctx, 5s);
  auto st = node.GetDocument(&ctx, r, &nr);
  EXPECT_TRUE(st.ok()) << st.error_message();
  if (!nr.found()) return std::nullopt;
  return nlohmann::json::parse(nr.json());
}

// Test documents: string ids and integer ids (which route by decimal text).
inline std::vector<nlohmann::json> corpus(int strings, int integers) {
  std::vector<nlohmann::json> docs;
  for (int i = 0; i < strings; ++i)
    docs.push_back({{"id", "doc-" + std::to_string(i)}, {"title", "t" + std::to_string(i)}, {"n", i}});
  for (int i = 0; i < integers; ++i) docs.push_back({{"id", 1000 + i}, {"title", "int"}, {"tags", {"a", "b"}}});
  return docs;
}

inline std::string id_text(const nlohmann::json& doc) {
  return doc["id"].is_string() ? doc["id"].get<std::string>() : std::to_string(doc["id"].get<uint64_t>());
}

inline std::vector<std::string> dumps(const std::vector<nlohmann::json>& docs) {
  std::vector<std::string> out;
  for (const auto& d : docs) out.push_back(d.dump());
  return out;
}

// Owners (names) of the shard of `id` in `group`.
inline std::vector<std::string> owners_of(const ClusterConfig& c, const std::string& id, uint32_t group = 0) {
  return owners(shard_for_key(id, c.shards), c.groups()[group], c.replication_factor);
}

// The first id "probe-N" for which `pred` holds ("" if none in 10000).
inline std::string find_id(const std::function<bool(const std::string&)>& pred) {
  for (int i = 0; i < 10000; ++i) {
    std::string id = "probe-" + std::to_string(i);
    if (pred(id)) return id;
  }
  return "";
}

// A string id whose shard has (or has not) `node` among its owners in `group`.
inline std::string id_owned(const ClusterConfig& c, const std::string& node, bool owned, uint32_t group = 0) {
  return find_id([&](const std::string& id) {
    auto o = owners_of(c, id, group);
    return (std::find(o.begin(), o.end(), node) != o.end()) == owned;
  });
}

// Polls `cond` every 20 ms until it holds or `timeout` passes.
inline bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return cond();
}

}  // namespace miroir::test
