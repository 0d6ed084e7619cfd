#include "systems/miroir/client.hpp"

#include <algorithm>

#include "miroir.grpc.pb.h"
#include "miroir/common/grpc_options.hpp"

namespace eclat {
namespace {

using std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

class MiroirClient : public Client {
 public:
  MiroirClient(const std::string& address, milliseconds op_timeout)
      : stub_(miroir::Orchestrator::NewStub(miroir::make_channel(address))), timeout_(op_timeout) {}

  // set: add(element), read() of everything (read("all-copies"): the union
  // of every copy of every shard). register: write(key, value)
  // replaces document `key`, read(key) gets it by id.
  Op invoke(const Op& inv) override {
    if (inv.f == "add") return write(inv, nlohmann::json{{"id", inv.value}, {"value", inv.value}});
    if (inv.f == "write" && inv.key) return write(inv, nlohmann::json{{"id", *inv.key}, {"value", inv.value}});
    // A hot document (migration workload): not a member of the set, so
    // read_all leaves it out; read(key) returns its version.
    if (inv.f == "overwrite" && inv.key)
      return write(inv, nlohmann::json{{"id", *inv.key}, {"value", inv.value}, {"hot", true}});
    if (inv.f == "read" && inv.key) return get(inv);
    if (inv.f == "read") return read_all(inv);
    Op r = inv;
    r.type = OpType::fail;
    r.error = "miroir client: unsupported operation " + inv.f;
    return r;
  }

 private:
  // Acknowledged (ok) once the orchestrator's task succeeded; a degraded
  // write is ok with error "degraded" (it took effect on some copies).
  Op write(const Op& inv, const nlohmann::json& document) {
    Op r = inv;
    const auto deadline = clock_type::now() + timeout_;
    miroir::WriteRequest req;
    req.set_index("docs");
    req.add_documents(document.dump());
    miroir::WriteReply rep;
    grpc::ClientContext ctx;
    miroir::set_deadline(ctx, timeout_);
    grpc::Status st = stub_->AddDocuments(&ctx, req, &rep);
    if (!st.ok()) {
      r.type = OpType::info;  // the request may have reached the orchestrator
      r.error = "write: " + status_text(st);
      return r;
    }
    if (!rep.error_code().empty()) {
      // Certainly not applied only when every target answered with a refusal.
      bool definite = rep.error_code() != "miroir_no_quorum" ||
                      (rep.acked() == 0 && rep.rejected() == rep.targets());
      r.type = definite ? OpType::fail : OpType::info;
      r.error = rep.error_code() + ": " + rep.error_message();
      return r;
    }
    // Enqueued: acknowledged once the orchestrator's task succeeded.
    while (true) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline - clock_type::now());
      if (left.count() <= 0) {
        r.type = OpType::info;
        r.error = "task " + rep.task_id() + " not finished in time";
        return r;
      }
      miroir::TaskRequest treq;
      treq.set_task_id(rep.task_id());
      treq.set_wait_ms(static_cast<uint32_t>(std::min<int64_t>(left.count(), 1000)));
      miroir::TaskReply trep;
      grpc::ClientContext tctx;
      miroir::set_deadline(tctx, milliseconds(treq.wait_ms()) + milliseconds(1000));
      grpc::Status ts = stub_->GetTask(&tctx, treq, &trep);
      if (!ts.ok()) {
        if (clock_type::now() >= deadline) {
          r.type = OpType::info;
          r.error = "task " + rep.task_id() + ": " + status_text(ts);
          return r;
        }
        continue;  // the orchestrator was unreachable for a moment: ask again
      }
      if (trep.status() == "succeeded") {
        r.type = OpType::ok;
        if (rep.degraded()) r.error = "degraded";
        return r;
      }
      if (trep.status() == "unknown") {
        // e.g. miroir_drain_deadline: the orchestrator gave up tracking it.
        r.type = OpType::info;
        r.error = "task " + rep.task_id() + " unknown: " + trep.error();
        return r;
      }
      if (trep.status() == "failed") {
        // A node task failed; another copy may have been applied: unknown.
        r.type = OpType::info;
        r.error = "task " + rep.task_id() + " failed: " + trep.error();
        return r;
      }
      if (trep.status() == "unknown") {
        // The orchestrator cannot tell (a migration's drain deadline passed
        // with this write undecided, or the task is not in its map): the
        // write may or may not take effect, now or later.
        r.type = OpType::info;
        r.error = "task " + rep.task_id() + " unknown" + (trep.error().empty() ? "" : ": " + trep.error());
        return r;
      }
    }
  }

  // The document's "value", null when absent. Reads have no effect, so any
  // trouble is a fail.
  Op get(const Op& inv) {
    Op r = inv;
    miroir::GetRequest req;
    req.set_index("docs");
    req.set_id(*inv.key);
    miroir::GetReply rep;
    grpc::ClientContext ctx;
    miroir::set_deadline(ctx, timeout_);
    grpc::Status st = stub_->GetDocument(&ctx, req, &rep);
    r.type = OpType::fail;
    if (!st.ok()) {
      r.error = "get: " + status_text(st);
    } else if (!rep.error_code().empty()) {
      r.error = rep.error_code() + ": " + rep.error_message();
    } else if (!rep.found()) {
      r.type = OpType::ok;
      r.value = nullptr;
    } else {
      try {
        r.value = nlohmann::json::parse(rep.json()).value("value", nlohmann::json());
        r.type = OpType::ok;
      } catch (const std::exception&) {
        r.error = "unreadable document: " + rep.json();
      }
    }
    return r;
  }

  Op read_all(const Op& inv) {
    Op r = inv;
    miroir::ListRequest req;
    req.set_index("docs");
    req.set_page_size(1000);
    req.set_all_copies(inv.value == "all-copies");
    grpc::ClientContext ctx;
    miroir::set_deadline(ctx, std::max(timeout_, milliseconds(30000)));
    auto stream = stub_->ListDocuments(&ctx, req);
    miroir::ListPage page;
    nlohmann::json ids = nlohmann::json::array();
    std::string page_error;
    uint64_t divergent = 0;
    while (stream->Read(&page)) {
      divergent += page.divergent();
      if (!page.error_code().empty() && page_error.empty()) {
        page_error = "shard " + std::to_string(page.shard()) + ": " + page.error_code() + ": " +
                     page.error_message();
      }
      for (const auto& d : page.documents()) {
        try {
          auto doc = nlohmann::json::parse(d);
          if (!doc.value("hot", false)) ids.push_back(doc.at("id"));
        } catch (const std::exception& e) {
          page_error = std::string("unreadable document: ") + d;
        }
      }
    }
    grpc::Status st = stream->Finish();
    if (!st.ok() || !page_error.empty()) {
      r.type = OpType::fail;  // a read has no effect: failing it is always safe
      r.error = st.ok() ? page_error : "list: " + status_text(st);
      return r;
    }
    r.type = OpType::ok;
    r.value = std::move(ids);
    // Not an error: the read is complete; the copies disagree (a finding
    // for convergence, which anti-entropy is meant to repair).
    if (divergent > 0) r.error = std::to_string(divergent) + " documents missing on some copy";
    return r;
  }

  static std::string status_text(const grpc::Status& st) {
    return "grpc " + std::to_string(st.error_code()) + " " + st.error_message();
  }

  std::unique_ptr<miroir::Orchestrator::Stub> stub_;
  milliseconds timeout_;
};

}  // namespace

std::unique_ptr<Client> make_miroir_client(const std::string& address, milliseconds op_timeout) {
  return std::make_unique<MiroirClient>(address, op_timeout);
}

}  // namespace eclat
