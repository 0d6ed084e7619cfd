#include "checker/linearizability/search.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <unordered_map>

namespace eclat::lin {

const char* to_string(Outcome o) {
  switch (o) {
    case Outcome::linearizable: return "linearizable";
    case Outcome::not_linearizable: return "not linearizable";
    case Outcome::unknown: return "unknown";
  }
  return "?";
}

namespace {

constexpr uint32_t kNone = ~0u;

uint64_t splitmix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

struct OutOfBudget {
  std::string cause;
};

// Bytes taken from the shared memory budget, given back when the search ends.
class Reservation {
 public:
  explicit Reservation(std::atomic<int64_t>* left) : left_(left) {}
  ~Reservation() {
    if (left_) left_->fetch_add(held_);
  }
  void take(int64_t bytes, const char* what) {
    if (left_ && left_->fetch_sub(bytes) < bytes) {
      left_->fetch_add(bytes);
      throw OutOfBudget{std::string("memory budget exhausted (") + what + ")"};
    }
    held_ += bytes;
    peak_ = std::max(peak_, held_);
  }
  void give(int64_t bytes) {
    if (left_) left_->fetch_add(bytes);
    held_ -= bytes;
  }
  int64_t peak() const { return peak_; }

 private:
  std::atomic<int64_t>* left_;
  int64_t held_ = 0, peak_ = 0;
};

// The memo: every configuration explored, as
//   [hash][rpos << 32 | state][conflict mask][window words...]
// in an arena of blocks, indexed by an open-addressing table of arena offsets
// tagged with hash bits (most probes never touch the arena).
class Memo {
 public:
  explicit Memo(Reservation& res) : res_(res) { grow_table(1 << 12); }

  // Finds the configuration, or inserts it. Returns its arena offset and
  // whether it was already there.
  std::pair<uint64_t, bool> find_or_insert(uint64_t hash, uint64_t head, const uint64_t* words,
                                           uint32_t nw) {
    if ((count_ + 1) * 2 > table_.size()) grow_table(table_.size() * 2);
    size_t mask = table_.size() - 1;
    uint64_t tag = hash & kTagMask;
    for (size_t i = (hash >> 3) & mask;; i = (i + 1) & mask) {
      uint64_t slot = table_[i];
      if (slot == 0) {
        uint64_t off = append(hash, head, words, nw);
        table_[i] = tag | (off + 1);
        ++count_;
        return {off, false};
      }
      if ((slot & kTagMask) == tag) {
        uint64_t off = (slot & ~kTagMask) - 1;
        const uint64_t* e = at(off);
        if (e[0] == hash && e[1] == head && std::memcmp(e + 3, words, nw * 8) == 0)
          return {off, true};
      }
    }
  }
  uint64_t& mask_of(uint64_t off) { return at(off)[2]; }
  uint64_t count() const { return count_; }

 private:
  static constexpr uint64_t kTagMask = 0xFFFFFF0000000000ull;  // 24 tag bits, 40 offset bits
  static constexpr int kBlockShift = 20;                       // blocks of 1 Mi words

  uint64_t* at(uint64_t off) { return blocks_[off >> kBlockShift].get() + (off & ((1 << kBlockShift) - 1)); }

  uint64_t append(uint64_t hash, uint64_t head, const uint64_t* words, uint32_t nw) {
    uint64_t need = 3 + nw;
    const uint64_t full = uint64_t{1} << kBlockShift;
    if (need > full) throw OutOfBudget{"a configuration larger than a memo block"};
    if (blocks_.empty() || used_ + need > block_size_) {
      // The first block is small: most searches (one partition of a few
      // hundred operations) never need more.
      uint64_t size = blocks_.empty() ? std::max<uint64_t>(need, 1 << 12) : full;
      res_.take(static_cast<int64_t>(size * 8), "memo");
      blocks_.emplace_back(new uint64_t[size]);
      block_size_ = size;
      base_ = (blocks_.size() - 1) << kBlockShift;
      used_ = 0;
    }
    uint64_t off = base_ + used_;
    uint64_t* e = blocks_.back().get() + used_;
    e[0] = hash;
    e[1] = head;
    e[2] = ~uint64_t{0};
    std::memcpy(e + 3, words, nw * 8);
    used_ += need;
    return off;
  }

  void grow_table(size_t size) {
    res_.take(static_cast<int64_t>(size * 8), "memo index");
    std::vector<uint64_t> t(size, 0);
    size_t mask = size - 1;
    for (uint64_t slot : table_) {
      if (!slot) continue;
      uint64_t hash = at((slot & ~kTagMask) - 1)[0];
      size_t i = (hash >> 3) & mask;
      while (t[i]) i = (i + 1) & mask;
      t[i] = slot;
    }
    res_.give(static_cast<int64_t>(table_.size() * 8));
    table_.swap(t);
  }

  Reservation& res_;
  std::vector<std::unique_ptr<uint64_t[]>> blocks_;
  uint64_t block_size_ = 0, used_ = 0, base_ = 0;
  std::vector<uint64_t> table_;
  uint64_t count_ = 0;
};

// Model states of several slots, interned: a state is an integer.
class StateTable {
 public:
  StateTable(uint32_t k, Reservation& res) : k_(k), res_(res) {}
  uint32_t intern(const Value* v) {
    uint64_t h = 0;
    for (uint32_t i = 0; i < k_; ++i) h = splitmix(h ^ v[i]);
    auto range = index_.equal_range(h);
    for (auto it = range.first; it != range.second; ++it)
      if (std::equal(v, v + k_, data_.begin() + uint64_t{it->second} * k_)) return it->second;
    uint32_t id = static_cast<uint32_t>(data_.size() / k_);
    res_.take(static_cast<int64_t>(k_ * 4 + 48), "states");
    data_.insert(data_.end(), v, v + k_);
    index_.emplace(h, id);
    return id;
  }
  const Value* get(uint32_t id) const { return data_.data() + uint64_t{id} * k_; }

 private:
  uint32_t k_;
  Reservation& res_;
  std::vector<Value> data_;
  std::unordered_multimap<uint64_t, uint32_t> index_;
};

class Search {
 public:
  Search(const std::vector<SearchOp>& ops, const std::vector<std::string>& keys,
         const std::vector<uint32_t>& slot_atom, const Model& model, ValuePool& pool,
         const Budget& budget, const SearchOptions& options)
      : ops_(ops), n_(static_cast<uint32_t>(ops.size())),
        k_(std::max<uint32_t>(static_cast<uint32_t>(keys.size()), 1)), keys_(keys),
        model_(model), pool_(pool), budget_(budget), options_(options), res_(budget.memory_left),
        memo_(res_), states_(k_, res_) {
    prepare(slot_atom);
  }

  SearchResult run() {
    SearchResult r;
    try {
      r.outcome = dfs(r);
    } catch (const OutOfBudget& e) {
      r.outcome = Outcome::unknown;
      r.cause = e.cause;
    }
    r.configurations = configurations_;
    r.peak_bytes = static_cast<uint64_t>(res_.peak());
    return r;
  }

 private:
  struct Frame {
    uint32_t rpos;        // position in ret_order_ of the earliest pending completion
    uint32_t state;
    uint32_t begin, end, next;  // this frame's branches in cand_
    uint32_t via;         // the operation linearized to reach this configuration
    uint64_t own;         // atoms of the branched operations
    uint64_t conflict;    // atoms that explain the failures of the children so far
    uint64_t memo;        // arena offset of this configuration in the memo
    bool jumped;
  };

  void prepare(const std::vector<uint32_t>& slot_atom) {
    for (uint32_t i = 0; i < n_; ++i)
      if (ops_[i].ret != LinOp::kNever) ret_order_.push_back(i);
    std::sort(ret_order_.begin(), ret_order_.end(),
              [&](uint32_t a, uint32_t b) { return ops_[a].ret < ops_[b].ret; });
    m_ = static_cast<uint32_t>(ret_order_.size());
    is_info_.resize(n_);
    uint32_t min_info = n_;
    for (uint32_t i = 0; i < n_; ++i) {
      is_info_[i] = ops_[i].ret == LinOp::kNever;
      if (is_info_[i]) min_info = std::min(min_info, i);
    }
    // For the earliest pending completion R (by position p in ret order):
    // ops invoked before R returns are [0, cbound); ops below `lo` all
    // returned before R and are linearized. Only bits in [lo, cbound) vary.
    cbound_.resize(m_);
    lo_word_.resize(m_);
    nwords_.resize(m_);
    uint32_t suffix_min = min_info;
    for (uint32_t p = m_; p-- > 0;) {
      uint64_t r = ops_[ret_order_[p]].ret;
      uint32_t cb = static_cast<uint32_t>(
          std::lower_bound(ops_.begin(), ops_.end(), r,
                           [](const SearchOp& o, uint64_t t) { return o.call < t; }) -
          ops_.begin());
      cbound_[p] = cb;
      uint32_t lo = std::min(suffix_min, cb);
      lo_word_[p] = lo / 64;
      nwords_[p] = (cb + 63) / 64 - lo / 64;
      suffix_min = std::min(suffix_min, ret_order_[p]);
    }
    zobrist_.resize(n_);
    for (uint32_t i = 0; i < n_; ++i) zobrist_[i] = splitmix(0x5EEDull * 1315423911ull + i);
    slot_mask_.resize(n_);
    atom_mask_.resize(n_);
    for (uint32_t i = 0; i < n_; ++i) {
      for (uint32_t s : ops_[i].slots) {
        slot_mask_[i] |= uint64_t{1} << (s % 64);
        uint32_t a = s < slot_atom.size() ? slot_atom[s] : 0;
        atom_mask_[i] |= uint64_t{1} << (a % 64);
      }
    }
    // Symmetry: identical operations (same model encoding and keys). If A
    // and B are identical, A.call <= B.call and A.ret <= B.ret (info: ret is
    // infinite), any linearization placing B before A (or using B and not A,
    // for info) stays one after exchanging them: A fits B's slot (invoked
    // earlier, and it returns after that slot since it returned after its own
    // later one), B fits A's (invoked before B's old slot, returns after A).
    // So we only linearize B once A is. One predecessor per operation is
    // enough to be sound (it is a subset of the constraints).
    sym_prev_.assign(n_, kNone);
    std::unordered_map<uint64_t, std::vector<uint32_t>> groups;
    for (uint32_t i = 0; i < n_; ++i) {
      const auto& e = ops_[i].enc;
      uint64_t h = splitmix(e.kind * 2 + (e.info ? 1 : 0));
      for (Value v : e.args) h = splitmix(h ^ v);
      for (uint32_t s : ops_[i].slots) h = splitmix(h ^ (uint64_t{s} << 32));
      groups[h].push_back(i);
    }
    auto same = [&](uint32_t a, uint32_t b) {
      const auto& x = ops_[a];
      const auto& y = ops_[b];
      return x.enc.kind == y.enc.kind && x.enc.info == y.enc.info && x.enc.args == y.enc.args &&
             x.slots == y.slots;
    };
    for (auto& [_, g] : groups) {
      for (size_t j = 1; j < g.size(); ++j) {
        uint32_t b = g[j];
        for (size_t back = 1; back <= 64 && back <= j; ++back) {
          uint32_t a = g[j - back];
          if (same(a, b) && ops_[a].ret <= ops_[b].ret) {
            sym_prev_[b] = a;
            break;
          }
        }
      }
    }
    bits_.assign(n_ / 64 + 1, 0);
    next_.resize(n_ + 1);
    prev_.resize(n_ + 1);
    for (uint32_t i = 0; i <= n_; ++i) {
      next_[i] = i == n_ ? 0 : i + 1;
      prev_[i] = i == 0 ? n_ : i - 1;
    }
    if (n_ == 0) next_[n_] = prev_[n_] = n_;
    else {
      next_[n_] = 0;
      prev_[0] = n_;
      next_[n_ - 1] = n_;
      prev_[n_] = n_ - 1;
    }
  }

  bool linearized(uint32_t i) const { return (bits_[i / 64] >> (i % 64)) & 1; }
  void lift(uint32_t i) {
    bits_[i / 64] |= uint64_t{1} << (i % 64);
    hash_ ^= zobrist_[i];
    next_[prev_[i]] = next_[i];
    prev_[next_[i]] = prev_[i];
  }
  void unlift(uint32_t i) {
    bits_[i / 64] &= ~(uint64_t{1} << (i % 64));
    hash_ ^= zobrist_[i];
    next_[prev_[i]] = i;
    prev_[next_[i]] = i;
  }

  // Applies op i to state s. Single-slot searches keep the value itself as
  // the state; others intern the vector of values and remember transitions.
  bool apply(uint32_t s, uint32_t i, uint32_t& out) {
    const SearchOp& op = ops_[i];
    if (k_ == 1) {
      Value v = s;
      size_t before = pool_.bytes();
      bool ok = model_.step(op.enc, &v, pool_);
      // New values (kv appends) live as long as the search: they count.
      if (pool_.bytes() != before) res_.take(static_cast<int64_t>(pool_.bytes() - before), "values");
      if (!ok) return false;
      out = v;
      return true;
    }
    size_t before = pool_.bytes();
    uint64_t key = (uint64_t{s} << 32) | i;
    if (auto it = transitions_.find(key); it != transitions_.end()) {
      if (it->second == kNone) return false;
      out = it->second;
      return true;
    }
    const Value* cur = states_.get(s);
    scratch_.assign(op.slots.size(), 0);
    for (size_t j = 0; j < op.slots.size(); ++j) scratch_[j] = cur[op.slots[j]];
    uint32_t result = kNone;
    if (model_.step(op.enc, scratch_.data(), pool_)) {
      full_.assign(cur, cur + k_);
      for (size_t j = 0; j < op.slots.size(); ++j) full_[op.slots[j]] = scratch_[j];
      result = states_.intern(full_.data());
    }
    res_.take(64 + static_cast<int64_t>(pool_.bytes() - before), "transitions");
    transitions_.emplace(key, result);
    if (result == kNone) return false;
    out = result;
    return true;
  }

  uint64_t state_hash(uint32_t s) const { return splitmix(uint64_t{s} + 0x1234567ull); }

  // The branches of a configuration whose earliest pending completion is
  // ret_order_[rpos]: a persistent set. Let R be that operation and T the
  // operations invoked before R returns, not yet linearized, that share a key
  // with R or (transitively) with another member of T. In any completion, R
  // comes before every operation invoked after R returns, so everything
  // before R is invoked before R returns. Take the first member y of T in
  // the completion: everything before it shares no key with it, so it
  // commutes with them, and it may move to the front in real time too (each
  // of them returns after R returns, after y was invoked). So some
  // completion starts with a member of T: branching on T alone is complete.
  // Ordering: R first (it must come soon), then by invocation.
  void branches(uint32_t rpos, Frame& f) {
    f.begin = static_cast<uint32_t>(cand_.size());
    f.next = f.begin;
    uint32_t bound = cbound_[rpos];
    uint32_t R = ret_order_[rpos];
    cand_.push_back(R);
    for (uint32_t i = next_[n_]; i < bound; i = next_[i])
      if (i != R) cand_.push_back(i);
    f.end = static_cast<uint32_t>(cand_.size());
    if (k_ > 1) {
      uint64_t fp = slot_mask_[R];
      bool changed = true;
      uint32_t kept = f.begin + 1;  // R stays first
      while (changed) {
        changed = false;
        for (uint32_t j = kept; j < f.end; ++j) {
          uint32_t c = cand_[j];
          if (slot_mask_[c] & fp) {
            fp |= slot_mask_[c];
            std::swap(cand_[j], cand_[kept]);
            ++kept;
            changed = true;
          }
        }
      }
      f.end = kept;
      std::sort(cand_.begin() + f.begin + 1, cand_.begin() + f.end);
    }
    // A read that fits the current state goes first, alone: in any
    // completion it can move to the front (it changes nothing, it fits
    // here, and whatever preceded it returns after it was invoked), so no
    // other branch is needed. Reads then never multiply the search.
    bool forced = false;
    for (uint32_t j = f.begin; j < f.end; ++j) {
      uint32_t c = cand_[j];
      uint32_t ignored;
      if (ops_[c].enc.pure && !blocked(c) && apply(f.state, c, ignored)) {
        cand_[f.begin] = c;
        f.end = f.begin + 1;
        forced = true;
        break;
      }
    }
    uint64_t own = 0;
    for (uint32_t j = f.begin; j < f.end; ++j) own |= atom_mask_[cand_[j]];
    f.own = own;
    // No read fits. Each pending read must still be placed, before it
    // returns, after some of the operations that may precede it: those
    // pending now and those invoked before it returns. Ask the model
    // whether any order of them could make it fit; if not for one read,
    // this is a dead end (explained by the same atoms as if every branch
    // had failed). Reads whose window reaches far ahead are not asked.
    if (!forced && f.end > f.begin) {
      for (uint32_t j = f.begin; j < f.end; ++j) {
        uint32_t g = cand_[j];
        if (!ops_[g].enc.pure || is_info_[g]) continue;
        uint32_t until = call_bound(ops_[g].ret);
        if (until > bound + 256) continue;
        others_.clear();
        for (uint32_t k = f.begin; k < f.end; ++k)
          if (cand_[k] != g && (slot_mask_[cand_[k]] & slot_mask_[g])) others_.push_back(&ops_[cand_[k]].enc);
        for (uint32_t k = bound; k < until; ++k)
          if (slot_mask_[k] & slot_mask_[g]) others_.push_back(&ops_[k].enc);
        bool dead;
        if (k_ == 1) {
          Value v = f.state;
          dead = model_.hopeless(ops_[g].enc, &v, others_, pool_);
        } else {
          const Value* cur = states_.get(f.state);
          scratch_.clear();
          for (uint32_t slot : ops_[g].slots) scratch_.push_back(cur[slot]);
          dead = model_.hopeless(ops_[g].enc, scratch_.data(), others_, pool_);
        }
        if (dead) {
          f.end = f.begin;
          break;
        }
      }
    }
  }
  // The first completed operation (its position in ret order) that the
  // model calls hopeless from the initial state with every operation invoked
  // before it returns as the candidates, or kNone. Sound by hopeless()'s
  // contract: whatever is linearized before it comes from that set (ops of
  // other keys among them only make hopeless() less likely to say yes).
  uint32_t impossible_from_start(uint32_t init) {
    std::vector<const Encoded*> before;
    std::vector<Value> st;
    const Value* init_values = k_ == 1 ? nullptr : states_.get(init);
    for (uint32_t p = 0, k = 0; p < m_; ++p) {
      for (; k < cbound_[p]; ++k) before.push_back(&ops_[k].enc);
      const SearchOp& op = ops_[ret_order_[p]];
      if (op.enc.info || !op.enc.pure) continue;  // hopeless() is asked about reads
      if ((p & 1023) == 0) check_budget();
      // hopeless() is asked only about a read that does not fit the state.
      st.clear();
      if (k_ == 1) st.push_back(init);
      else
        for (uint32_t slot : op.slots) st.push_back(init_values[slot]);
      std::vector<Value> fit = st;
      if (model_.step(op.enc, fit.data(), pool_)) continue;
      if (model_.hopeless(op.enc, st.data(), before, pool_)) return p;
    }
    return kNone;
  }

  uint32_t call_bound(uint64_t t) const {
    return static_cast<uint32_t>(
        std::lower_bound(ops_.begin(), ops_.end(), t,
                         [](const SearchOp& o, uint64_t x) { return o.call < x; }) -
        ops_.begin());
  }
  std::vector<const Encoded*> others_;

  bool blocked(uint32_t i) const { return sym_prev_[i] != kNone && !linearized(sym_prev_[i]); }

  // Conflict-directed backjumping. A failed configuration carries a set of
  // atoms (groups of keys no operation spans) that explains the failure: no
  // configuration that agrees with it on those atoms (the same operations of
  // theirs linearized, the same values on their keys) can be completed,
  // because operations of other atoms neither read nor change them.
  //  - No branch fits: explained by the branched operations' atoms (the
  //    persistent set argument above shows that only they could go next).
  //  - All branches failed: their explanations plus this one's own atoms.
  //  - A child failed for atoms this configuration did not branch on: the
  //    same explanation holds here (its choice did not touch them), so its
  //    other branches would fail too; give up on them.
  void child_failed(Frame& p, uint64_t why) {
    if ((why & p.own) == 0) {
      p.conflict = why;
      p.jumped = true;
      p.next = p.end;
    } else {
      p.conflict |= why;
    }
  }

  void check_budget() {
    if (budget_.cancel && budget_.cancel->load(std::memory_order_relaxed))
      throw OutOfBudget{"cancelled"};
    if (std::chrono::steady_clock::now() > budget_.deadline)
      throw OutOfBudget{"time limit reached"};
  }

  void note_depth(uint32_t rpos, uint32_t state) {
    if (rpos <= best_rpos_ && have_best_) return;
    have_best_ = true;
    best_rpos_ = rpos;
    if (!options_.record_deepest) return;
    best_path_.clear();
    for (size_t j = 1; j < frames_.size(); ++j) best_path_.push_back(frames_[j].via);
    best_state_ = state;
  }

  Outcome dfs(SearchResult& r) {
    if (m_ == 0) return Outcome::linearizable;
    uint32_t init;
    if (k_ == 1) {
      init = model_.initial(keys_.empty() ? std::string() : keys_[0], pool_);
    } else {
      std::vector<Value> v(k_);
      for (uint32_t s = 0; s < k_; ++s) v[s] = model_.initial(keys_[s], pool_);
      init = states_.intern(v.data());
    }
    if (uint32_t p = impossible_from_start(init); p != kNone) {
      // No order of what may come before it lets this operation fit: the
      // history is refuted before any search (a read of a value nobody
      // wrote would otherwise cost an exhaustive search of all before it).
      r.stuck = ret_order_[p];
      if (options_.record_deepest) {
        if (k_ == 1) r.deepest_state = {init};
        else {
          const Value* v = states_.get(init);
          r.deepest_state.assign(v, v + k_);
        }
      }
      return Outcome::not_linearizable;
    }
    Frame root{};
    root.rpos = 0;
    root.state = init;
    root.via = kNone;
    root.memo = ~uint64_t{0};
    branches(0, root);
    frames_.push_back(root);
    note_depth(0, init);
    std::vector<uint64_t> key;
    while (!frames_.empty()) {
      Frame& f = frames_.back();
      if (f.next < f.end) {
        uint32_t t = cand_[f.next++];
        if (blocked(t)) continue;
        uint32_t ns;
        if (!apply(f.state, t, ns)) continue;
        lift(t);
        uint32_t nr = f.rpos;
        while (nr < m_ && linearized(ret_order_[nr])) ++nr;
        if (nr == m_) {
          for (size_t j = 1; j < frames_.size(); ++j) r.linearization.push_back(frames_[j].via);
          r.linearization.push_back(t);
          // Info operations invoked but not placed did not take effect.
          return Outcome::linearizable;
        }
        uint32_t nw = nwords_[nr];
        const uint64_t* words = bits_.data() + lo_word_[nr];
        auto [off, seen] = memo_.find_or_insert(hash_ ^ state_hash(ns), (uint64_t{nr} << 32) | ns,
                                                words, nw);
        if (seen) {
          uint64_t why = memo_.mask_of(off);
          unlift(t);
          child_failed(frames_.back(), why);
          continue;
        }
        if ((++configurations_ & 255) == 0) check_budget();
        Frame c{};
        c.rpos = nr;
        c.state = ns;
        c.via = t;
        c.memo = off;
        branches(nr, c);
        frames_.push_back(c);  // invalidates f
        note_depth(nr, ns);
      } else {
        uint64_t why = f.jumped ? f.conflict : (f.own | f.conflict);
        if (f.memo != ~uint64_t{0}) memo_.mask_of(f.memo) = why;
        uint32_t via = f.via;
        cand_.resize(f.begin);
        frames_.pop_back();
        if (frames_.empty()) break;
        unlift(via);
        child_failed(frames_.back(), why);
      }
    }
    r.stuck = ret_order_[best_rpos_];
    if (options_.record_deepest) {
      r.deepest_path = best_path_;
      if (k_ == 1) r.deepest_state = {best_state_};
      else {
        const Value* v = states_.get(best_state_);
        r.deepest_state.assign(v, v + k_);
      }
    }
    return Outcome::not_linearizable;
  }

  const std::vector<SearchOp>& ops_;
  uint32_t n_, k_, m_ = 0;
  const std::vector<std::string>& keys_;
  const Model& model_;
  ValuePool& pool_;
  const Budget& budget_;
  SearchOptions options_;
  Reservation res_;
  Memo memo_;
  StateTable states_;
  std::unordered_map<uint64_t, uint32_t> transitions_;
  std::vector<Value> scratch_, full_;

  std::vector<uint32_t> ret_order_, cbound_, lo_word_, nwords_, sym_prev_;
  std::vector<bool> is_info_;
  std::vector<uint64_t> zobrist_, slot_mask_, atom_mask_;
  std::vector<uint64_t> bits_;
  uint64_t hash_ = 0;
  std::vector<uint32_t> next_, prev_;
  std::vector<uint32_t> cand_;
  std::vector<Frame> frames_;
  uint64_t configurations_ = 0;
  bool have_best_ = false;
  uint32_t best_rpos_ = 0, best_state_ = 0;
  std::vector<uint32_t> best_path_;
};

}  // namespace

std::vector<SearchOp> encode_operations(const std::vector<LinOp>& ops,
                                        const std::vector<std::vector<uint32_t>>& slots,
                                        const std::vector<uint32_t>* pick, const Model& model,
                                        ValuePool& pool, size_t* failed) {
  std::vector<SearchOp> out;
  size_t count = pick ? pick->size() : ops.size();
  out.reserve(count);
  for (size_t j = 0; j < count; ++j) {
    uint32_t i = pick ? (*pick)[j] : static_cast<uint32_t>(j);
    std::optional<Encoded> e;
    try {
      e = model.encode(ops[i], pool);
    } catch (...) {
      if (failed) *failed = i;
      throw;
    }
    if (!e) continue;
    SearchOp s;
    s.call = ops[i].call;
    s.ret = ops[i].info ? LinOp::kNever : ops[i].ret;
    s.enc = std::move(*e);
    s.enc.info = ops[i].info;
    s.slots = slots[pick ? j : i];
    s.source = i;
    out.push_back(std::move(s));
  }
  return out;
}

SearchResult search(const std::vector<SearchOp>& ops, const std::vector<std::string>& keys,
                    const std::vector<uint32_t>& slot_atom, const Model& model, ValuePool& pool,
                    const Budget& budget, const SearchOptions& options) {
  Search s(ops, keys, slot_atom, model, pool, budget, options);
  return s.run();
}

}  // namespace eclat::lin
