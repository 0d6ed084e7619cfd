#include "miroir/orchestrator/migration_record.hpp"

#include <chrono>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace miroir::orchestrator {

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string MigrationRecord::to_json() const {
  nlohmann::json j{{"id", id},
                   {"number", number},
                   {"kind", kind},
                   {"node", node},
                   {"address", address},
                   {"group", group},
                   {"coordinator", coordinator},
                   {"phase", phase},
                   {"documents_copied", documents_copied},
                   {"delta_documents", delta_documents},
                   {"drain_ms", drain_ms},
                   {"undecided_at_deadline", undecided_at_deadline},
                   {"cleaned_documents", cleaned_documents},
                   {"delta_forced", delta_forced},
                   {"decisions", decisions},
                   {"started_at_ms", started_at_ms},
                   {"updated_at_ms", updated_at_ms},
                   {"epoch", epoch}};
  auto& moves_j = j["moves"] = nlohmann::json::array();
  for (const auto& m : moves)
    moves_j.push_back({{"shard", m.shard},
                       {"from", m.from},
                       {"to", m.to},
                       {"state", m.state},
                       {"cursor", m.cursor},
                       {"copied", m.copied},
                       {"delta", m.delta}});
  return j.dump();
}

MigrationRecord MigrationRecord::from_json(const std::string& text) {
  try {
    auto j = nlohmann::json::parse(text);
    MigrationRecord r;
    r.id = j.at("id").get<std::string>();
    r.number = j.at("number").get<uint64_t>();
    r.kind = j.at("kind").get<std::string>();
    r.node = j.at("node").get<std::string>();
    r.address = j.at("address").get<std::string>();
    r.group = j.at("group").get<uint32_t>();
    r.coordinator = j.at("coordinator").get<std::string>();
    r.phase = j.at("phase").get<std::string>();
    r.documents_copied = j.at("documents_copied").get<uint64_t>();
    r.delta_documents = j.at("delta_documents").get<uint64_t>();
    r.drain_ms = j.at("drain_ms").get<uint64_t>();
    r.undecided_at_deadline = j.at("undecided_at_deadline").get<uint64_t>();
    r.cleaned_documents = j.at("cleaned_documents").get<uint64_t>();
    r.delta_forced = j.at("delta_forced").get<bool>();
    r.decisions = j.at("decisions").get<std::vector<std::string>>();
    r.started_at_ms = j.at("started_at_ms").get<int64_t>();
    r.updated_at_ms = j.at("updated_at_ms").get<int64_t>();
    r.epoch = j.at("epoch").get<uint64_t>();
    for (const auto& m : j.at("moves"))
      r.moves.push_back(ShardMoveRecord{m.at("shard").get<uint32_t>(), m.at("from").get<std::string>(),
                                        m.at("to").get<std::string>(), m.at("state").get<std::string>(),
                                        m.at("cursor").get<uint64_t>(), m.at("copied").get<uint64_t>(),
                                        m.at("delta").get<uint64_t>()});
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("stored migration is not readable: ") + e.what());
  }
}

MigrationStatus MigrationRecord::to_status(uint64_t dual_writes, uint64_t writes_failed_on_new) const {
  MigrationStatus s;
  s.set_id(id);
  s.set_kind(kind);
  s.set_node(node);
  s.set_group(group);
  s.set_phase(phase);
  s.set_coordinator(coordinator);
  for (const auto& m : moves) {
    auto* sm = s.add_shards();
    sm->set_shard(m.shard);
    sm->set_from(m.from);
    sm->set_to(m.to);
    sm->set_state(m.state);
    sm->set_copy_cursor(m.cursor);
    sm->set_copied(m.copied);
    sm->set_delta(m.delta);
  }
  auto* c = s.mutable_counters();
  c->set_documents_copied(documents_copied);
  c->set_delta_documents(delta_documents);
  c->set_drain_ms(drain_ms);
  c->set_writes_failed_on_new(writes_failed_on_new);
  c->set_dual_writes(dual_writes);
  c->set_undecided_at_deadline(undecided_at_deadline);
  c->set_cleaned_documents(cleaned_documents);
  for (const auto& d : decisions) s.add_decisions(d);
  s.set_started_at_ms(started_at_ms);
  s.set_updated_at_ms(updated_at_ms);
  s.set_epoch(epoch);
  return s;
}

}  // namespace miroir::orchestrator
