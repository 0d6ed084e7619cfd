// shared/data/routing/golden_vectors.txt parsed once into cases, for the
// routing unit tests and for miroir-ctl's tests (the same vectors through the
// library and through the command line). Every line of a known section must
// parse: a format change fails loudly instead of checking nothing.
#pragma once
#include <cstdint>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace miroir::test {

struct GoldenVectors {
  struct ShardCase { std::string key; uint32_t shards, shard; uint64_t hash; std::string line; };
  struct ScoreCase { uint32_t shard; std::string node; uint64_t score; std::string line; };
  struct OwnersCase { uint32_t shard, rf; std::vector<std::string> owners; std::string line; };
  struct TargetsCase { uint32_t shard; std::vector<std::string> targets; std::string line; };
  struct CoveringCase { uint64_t q; std::vector<std::string> nodes; std::string line; };

  // The fixtures' groups and parameters (stated in the section headers).
  const std::vector<std::string> group0 = {"meili-0", "meili-1", "meili-2"};
  const std::vector<std::string> group1 = {"meili-3", "meili-4", "meili-5"};
  static constexpr uint32_t kTargetsRf = 2, kCoveringShards = 8, kCoveringRf = 2;

  std::vector<ShardCase> shard;
  std::vector<ScoreCase> score;
  std::vector<OwnersCase> owners;      // group0, rf 1..3
  std::vector<TargetsCase> targets;    // RG=2 (group0, group1), RF=2
  std::vector<CoveringCase> covering;  // S=8, group0, RF=2
  std::vector<uint32_t> moved;         // adding meili-6 to group0, S=64, RF=1

  // "['a', 'b']" -> {"a", "b"}
  static std::vector<std::string> names(const std::string& list) {
    std::vector<std::string> out;
    static const std::regex item("'([^']*)'");
    for (auto it = std::sregex_iterator(list.begin(), list.end(), item); it != std::sregex_iterator(); ++it)
      out.push_back((*it)[1]);
    return out;
  }

  static GoldenVectors load(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    static const std::regex shard_re(R"(^shard_for_key\('(.*)', (\d+)\) = (\d+)\s+\(hash=0x([0-9a-f]+)\)$)");
    static const std::regex score_re(R"(^score\((\d+), '(.*)'\) = (\d+)$)");
    static const std::regex owners_re(R"(^shard (\d+): rf1=(\[.*?\]) rf2=(\[.*?\]) rf3=(\[.*?\])$)");
    static const std::regex targets_re(R"(^shard (\d+): (\[.*\])$)");
    static const std::regex covering_re(R"(^qseq (\d+): (\[.*\])$)");
    GoldenVectors g;
    std::string section;
    for (std::string l; std::getline(in, l);) {
      if (l.empty()) continue;
      if (l[0] == '#') {
        section = l;
        continue;
      }
      std::smatch m;
      auto is = [&](const char* header) { return section.rfind(header, 0) == 0; };
      auto bad = [&] { throw std::runtime_error("golden vectors: unparsed line in \"" + section + "\": " + l); };
      if (is("# shard_for_key")) {
        if (!std::regex_match(l, m, shard_re)) bad();
        g.shard.push_back({m[1], uint32_t(std::stoul(m[2])), uint32_t(std::stoul(m[3])),
                           std::stoull(m[4], nullptr, 16), l});
      } else if (is("# score")) {
        if (!std::regex_match(l, m, score_re)) bad();
        g.score.push_back({uint32_t(std::stoul(m[1])), m[2], std::stoull(m[3]), l});
      } else if (is("# assign_shard_in_group")) {
        if (!std::regex_match(l, m, owners_re)) bad();
        for (uint32_t rf = 1; rf <= 3; ++rf) g.owners.push_back({uint32_t(std::stoul(m[1])), rf, names(m[rf + 1]), l});
      } else if (is("# write_targets")) {
        if (!std::regex_match(l, m, targets_re)) bad();
        g.targets.push_back({uint32_t(std::stoul(m[1])), names(m[2]), l});
      } else if (is("# covering_set")) {
        if (!std::regex_match(l, m, covering_re)) bad();
        g.covering.push_back({std::stoull(m[1]), names(m[2]), l});
      } else if (is("# add meili-6")) {
        if (l.rfind("moved shards: ", 0) != 0) bad();
        std::stringstream ss(l.substr(l.find('[') + 1));
        for (std::string n; std::getline(ss, n, ',');) g.moved.push_back(std::stoul(n));
      } else {
        bad();
      }
    }
    return g;
  }
};

}  // namespace miroir::test
