// The shape shared by the packet faults (delay, reorder, loss, duplicate):
// what the target nodes send into the lab is shaped, by netem where the
// kernel has it, else by the fallback the kernel probe found (NFQUEUE for
// delay and reorder, nft rules for loss and duplicate). prepare() refuses a
// fault the kernel cannot honour, naming what is missing, before the run
// starts; every start value names the mechanism used. Targets:
// --set <fault>-targets=SPEC, else targets (nemesis/targets.hpp). Per link:
// --set <fault>-to=n2,o1 shapes only what the targets send to those hosts.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "cluster/netem.hpp"
#include "nemesis/fault.hpp"
#include "nemesis/targets.hpp"

namespace eclat {

// A packet fault's own "<fault>-to": only the links to these hosts.
constexpr TextSetting fault_links(const char* key, const char* doc) { return TextSetting{key, "", doc, nullptr, "all links"}; }

class DelayQueue;
class Host;
class Network;

class PacketFault : public Fault {
 public:
  explicit PacketFault(std::string name) : name_(std::move(name)) {}
  ~PacketFault() override;

  void validate(const TestConfig& cfg, const System&) const override;
  void prepare(NemesisContext& ctx) override;
  nlohmann::json plan(NemesisContext& ctx) override;
  nlohmann::json start(NemesisContext& ctx, const nlohmann::json& plan) override;
  nlohmann::json stop(NemesisContext& ctx) override;
  nlohmann::json heal(NemesisContext& ctx) override;

 protected:
  // The shaping this fault asks for, from the settings (validated there too).
  virtual NetemParams params(const TestConfig& cfg) const = 0;
  // The fallback: shape / unshape one host (undo must be idempotent).
  virtual void apply_fallback(NemesisContext& ctx, const Host& host, const NetemParams& p) = 0;
  virtual void undo_fallback(NemesisContext& ctx, const Host& host) = 0;

  const std::string name_;

 private:
  void undo(NemesisContext& ctx, const std::string& node);
  std::string mechanism_;
  std::vector<std::string> shaped_;
};

// The NFQUEUE fallback of delay and reorder: one DelayQueue per shaped host,
// on the fault's own queue number.
class QueuedPacketFault : public PacketFault {
 public:
  QueuedPacketFault(std::string name, uint16_t queue);
  ~QueuedPacketFault() override;

 protected:
  void apply_fallback(NemesisContext& ctx, const Host& host, const NetemParams& p) override;
  void undo_fallback(NemesisContext& ctx, const Host& host) override;

 private:
  uint16_t queue_;
  std::map<std::string, std::unique_ptr<DelayQueue>> queues_;
};

// The nft fallback of loss and duplicate: in the host's namespace, table
// `table` holds one rule applying `action` to a random `percent` of what the
// host sends into the lab (or to p.to_ips); undo drops the table.
void nft_random_rule(NemesisContext& ctx, const Host& host, const std::string& table, const NetemParams& p,
                     double percent, const std::string& action);
void nft_random_rule_undo(NemesisContext& ctx, const Host& host, const std::string& table);

// From a plan: the parameters recorded by PacketFault::plan ("to": host
// names, for a link-scoped fault).
NetemParams planned_params(const nlohmann::json& plan, const Network& net);

}  // namespace eclat
