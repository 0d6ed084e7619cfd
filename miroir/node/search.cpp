#include "miroir/node/search.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace miroir::node {

namespace {

bool token_byte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

char fold(unsigned char c) {
  return static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
}

// Calls fn(token) for each token of text, reusing one buffer.
template <class Fn>
void for_each_token(std::string_view text, std::string& buf, Fn&& fn) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !token_byte(static_cast<unsigned char>(text[i]))) ++i;
    if (i >= text.size()) break;
    buf.clear();
    while (i < text.size() && token_byte(static_cast<unsigned char>(text[i])))
      buf.push_back(fold(static_cast<unsigned char>(text[i++])));
    fn(buf);
  }
}

template <class T>
std::vector<T> distinct(const std::vector<T>& xs) {
  std::vector<T> out;
  for (const auto& x : xs)
    if (std::find(out.begin(), out.end(), x) == out.end()) out.push_back(x);
  return out;
}

}  // namespace

// One pass over a stored document (SAX events): which query tokens its
// searchable strings contain, and the values of the requested facet fields.
class Search::Reader final : public nlohmann::json_sax<nlohmann::json> {
 public:
  Reader(const std::vector<std::string>& tokens, const std::vector<std::string>& facets)
      : tokens_(tokens), facets_(facets), matched_(tokens.size(), 0) {}

  // Returns false when the text is not valid JSON.
  bool read(std::string_view json) {
    std::fill(matched_.begin(), matched_.end(), 0);
    matched_count_ = 0;
    facet_values_.clear();
    stack_.clear();
    reserved_ = false;
    facet_ = -1;
    invalid_ = false;
    nlohmann::json::sax_parse(json.begin(), json.end(), this);
    return !invalid_;
  }
  size_t matched() const { return matched_count_; }
  // (facet index, value text), possibly repeated for arrays.
  const std::vector<std::pair<size_t, std::string>>& facet_values() const { return facet_values_; }

  bool null() override { return true; }
  bool boolean(bool v) override {
    if (in_facet()) add_facet_value(v ? "true" : "false");
    return true;
  }
  bool number_integer(number_integer_t v) override {
    if (in_facet()) add_facet_value(std::to_string(v));
    return true;
  }
  bool number_unsigned(number_unsigned_t v) override {
    if (in_facet()) add_facet_value(std::to_string(v));
    return true;
  }
  bool number_float(number_float_t v, const string_t&) override {
    if (in_facet()) add_facet_value(nlohmann::json(v).dump());  // canonical, whatever the input spelling
    return true;
  }
  bool string(string_t& v) override {
    if (!stack_.empty() && !reserved_ && matched_count_ < tokens_.size())
      for_each_token(v, buf_, [&](const std::string& t) {
        for (size_t q = 0; q < tokens_.size(); ++q)
          if (!matched_[q] && tokens_[q] == t) {
            matched_[q] = 1;
            ++matched_count_;
          }
      });
    if (in_facet()) add_facet_value(v);
    // Every token found and no facet asked: the rest cannot change anything.
    return !(facets_.empty() && !tokens_.empty() && matched_count_ == tokens_.size());
  }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    stack_.push_back('o');
    return true;
  }
  bool key(string_t& k) override {
    if (stack_.size() == 1) {  // a top-level field
      reserved_ = k.rfind("_miroir_", 0) == 0;
      auto it = std::find(facets_.begin(), facets_.end(), k);
      facet_ = it == facets_.end() ? -1 : static_cast<int>(it - facets_.begin());
    }
    return true;
  }
  bool end_object() override {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override {
    stack_.push_back('a');
    return true;
  }
  bool end_array() override {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    invalid_ = true;
    return false;
  }

 private:
  // At a scalar directly under a facet field, or directly in its array
  // (checked first: most values are no facet, and their text is not built).
  bool in_facet() const {
    return facet_ >= 0 && (stack_.size() == 1 || (stack_.size() == 2 && stack_.back() == 'a'));
  }
  void add_facet_value(std::string text) {
    facet_values_.emplace_back(static_cast<size_t>(facet_), std::move(text));
  }

  const std::vector<std::string>& tokens_;
  const std::vector<std::string>& facets_;
  std::vector<char> matched_;
  size_t matched_count_ = 0;
  std::vector<std::pair<size_t, std::string>> facet_values_;
  std::vector<char> stack_;  // 'o' / 'a' per open container
  bool reserved_ = false;    // inside a top-level `_miroir_*` field
  int facet_ = -1;           // index of the current top-level field among facets_
  bool invalid_ = false;
  std::string buf_;
};

std::vector<std::string> tokenize(std::string_view text) {
  std::vector<std::string> out;
  std::string buf;
  for_each_token(text, buf, [&](const std::string& t) { out.push_back(t); });
  return out;
}

Search::Search(std::string_view query, uint32_t limit, const std::vector<std::string>& facets)
    : tokens_(distinct(tokenize(query))), facets_(distinct(facets)), limit_(limit),
      facet_counts_(facets_.size()),
      reader_(std::make_unique<Reader>(tokens_, facets_)) {}

Search::~Search() = default;

bool Search::ranks_before(const Hit& a, const Hit& b) {
  if (a.score != b.score) return a.score > b.score;
  return a.id < b.id;
}

void Search::add(uint32_t shard, std::string_view id, std::string_view json) {
  double score = 1.0;
  if (!tokens_.empty() || !facets_.empty()) {
    Reader& r = *reader_;
    if (!r.read(json)) return;  // never stored by this node; skip rather than fail the search
    if (!tokens_.empty()) {
      if (r.matched() == 0) return;
      score = static_cast<double>(r.matched()) / static_cast<double>(tokens_.size());
    }
    // Each distinct value once per document.
    auto values = r.facet_values();
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    for (auto& [f, v] : values) ++facet_counts_[f][v];
  }
  ++matches_;
  if (limit_ == 0) return;
  Hit candidate{score, std::string(id), shard, {}};
  if (heap_.size() >= limit_ && !ranks_before(candidate, heap_.front())) return;
  candidate.json.assign(json);
  heap_.push_back(std::move(candidate));
  std::push_heap(heap_.begin(), heap_.end(), ranks_before);
  if (heap_.size() > limit_) {
    std::pop_heap(heap_.begin(), heap_.end(), ranks_before);
    heap_.pop_back();
  }
}

NodeSearchReply Search::reply() {
  NodeSearchReply out;
  std::sort_heap(heap_.begin(), heap_.end(), ranks_before);
  for (auto& h : heap_) {
    auto* hit = out.add_hits();
    hit->set_id(std::move(h.id));
    hit->set_json(std::move(h.json));
    hit->set_ranking_score(h.score);
    hit->set_shard(h.shard);
  }
  heap_.clear();
  out.set_estimated_total_hits(matches_);
  for (size_t f = 0; f < facets_.size(); ++f) {
    auto& counts = *(*out.mutable_facet_distribution())[facets_[f]].mutable_counts();
    for (const auto& [value, n] : facet_counts_[f]) counts[value] = n;
  }
  return out;
}

}  // namespace miroir::node
