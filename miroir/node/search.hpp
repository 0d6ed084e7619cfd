// The node's token search, exactly as the proto documents NodeSearchRequest:
//   tokens   maximal runs of letters and digits, ASCII lowercased. Bytes of
//            non-ASCII UTF-8 characters count as letters (so "café" stays one
//            token; only ASCII case is folded);
//   match    a document matches when one of its string values outside the
//            top-level `_miroir_*` fields contains at least one query token
//            (keys and non-string values are not searched);
//   score    matched distinct query tokens / distinct query tokens; a query
//            without tokens (empty, or only punctuation) matches every
//            document with score 1;
//   order    score descending, then primary key ascending (bytewise);
//   facets   over all matches: for each requested top-level field, the
//            number of matching documents per value. A string counts as its
//            text, another scalar as its JSON text (true, 42, 1.5); each
//            distinct scalar element of an array counts once per document;
//            null, objects and nested arrays are not counted.
// Documents are read with nlohmann's SAX parser (no DOM per document), and
// only the best `limit` hits are kept while scanning.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "miroir.pb.h"

namespace miroir::node {

// Tokens of `text` in order, duplicates kept.
std::vector<std::string> tokenize(std::string_view text);

class Search {
 public:
  Search(std::string_view query, uint32_t limit, const std::vector<std::string>& facets);
  ~Search();

  // One candidate document (any order; the ranking does not depend on it).
  void add(uint32_t shard, std::string_view id, std::string_view json);

  // The hits (best first), the match count and the facet distribution.
  NodeSearchReply reply();

 private:
  struct Hit {
    double score;
    std::string id;
    uint32_t shard;
    std::string json;
  };
  // Strict "ranks before": score descending, then id ascending.
  static bool ranks_before(const Hit& a, const Hit& b);

  std::vector<std::string> tokens_;  // distinct query tokens
  std::vector<std::string> facets_;  // distinct facet fields
  uint32_t limit_;
  std::vector<Hit> heap_;  // the best hits so far; heap top = the worst of them
  uint64_t matches_ = 0;
  std::vector<std::map<std::string, uint64_t>> facet_counts_;  // per facet field
  class Reader;                     // the SAX pass over one document, reused
  std::unique_ptr<Reader> reader_;
};

}  // namespace miroir::node
