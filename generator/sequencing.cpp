// Sequencing: children one after another (phases, flip-flop, repeat) or in
// shuffled turns.
#include <algorithm>
#include <numeric>

#include "generator/combinators.hpp"

namespace eclat::gen {
namespace {

std::vector<GenPtr> clones(const std::vector<GenPtr>& gs) {
  std::vector<GenPtr> out;
  for (const auto& g : gs) out.push_back(g->clone());
  return out;
}

class Phases : public Generator {
 public:
  explicit Phases(std::vector<GenPtr> gs) : gs_(std::move(gs)) {}
  Next op(const Context& ctx) override {
    for (; current_ < gs_.size(); ++current_) {
      Next n = gs_[current_]->op(ctx);
      if (n.kind != Next::exhausted) return n;
    }
    return Next::done();
  }
  void update(const Context& ctx, const Op& done) override {
    if (current_ < gs_.size()) gs_[current_]->update(ctx, done);
  }
  GenPtr clone() const override { return std::make_unique<Phases>(clones(gs_)); }

 private:
  std::vector<GenPtr> gs_;
  size_t current_ = 0;
};

class FlipFlop : public Generator {
 public:
  FlipFlop(GenPtr a, GenPtr b) : a_(std::move(a)), b_(std::move(b)) {}
  Next op(const Context& ctx) override {
    Next n = (turn_ == 0 ? a_ : b_)->op(ctx);
    if (n.kind == Next::op) turn_ ^= 1;
    return n;
  }
  // Both sides see every completion: a side that ignores others' is simplest.
  void update(const Context& ctx, const Op& done) override {
    a_->update(ctx, done);
    b_->update(ctx, done);
  }
  GenPtr clone() const override { return std::make_unique<FlipFlop>(a_->clone(), b_->clone()); }

 private:
  GenPtr a_, b_;
  int turn_ = 0;
};

class Repeat : public Generator {
 public:
  Repeat(int64_t n, GenPtr g) : n_(n), proto_(std::move(g)), g_(proto_->clone()) {}
  Next op(const Context& ctx) override {
    while (n_ < 0 || done_ < n_) {
      Next n = g_->op(ctx);
      if (n.kind != Next::exhausted) {
        emitted_ = true;
        return n;
      }
      // A round that gave nothing would give nothing forever.
      if (!emitted_) return Next::done();
      ++done_;
      emitted_ = false;
      g_ = proto_->clone();
    }
    return Next::done();
  }
  void update(const Context& ctx, const Op& done) override { g_->update(ctx, done); }
  GenPtr clone() const override { return std::make_unique<Repeat>(n_, proto_->clone()); }

 private:
  const int64_t n_;
  GenPtr proto_, g_;
  int64_t done_ = 0;
  bool emitted_ = false;
};

class ShuffledTurns : public Generator {
 public:
  ShuffledTurns(std::vector<GenPtr> gs, int k) : gs_(std::move(gs)), k_(k), live_(gs_.size(), true) {}
  Next op(const Context& ctx) override {
    for (size_t tries = 0; tries <= 2 * gs_.size() + 1; ++tries) {
      if (!in_turn_ || taken_ == k_) {
        if (!next_turn(ctx)) return Next::done();
      }
      Next n = gs_[current_]->op(ctx);
      if (n.kind == Next::op) ++taken_;
      if (n.kind != Next::exhausted) return n;
      live_[current_] = false;
      in_turn_ = false;
    }
    return Next::done();
  }
  void update(const Context& ctx, const Op& done) override {
    if (current_ < gs_.size()) gs_[current_]->update(ctx, done);
  }
  GenPtr clone() const override { return std::make_unique<ShuffledTurns>(clones(gs_), k_); }

 private:
  bool next_turn(const Context& ctx) {
    taken_ = 0;
    in_turn_ = true;
    if (pos_ == order_.size()) {
      order_.clear();
      for (size_t i = 0; i < gs_.size(); ++i)
        if (live_[i]) order_.push_back(i);
      if (order_.empty()) {
        in_turn_ = false;
        return false;
      }
      std::shuffle(order_.begin(), order_.end(), ctx.random());
      pos_ = 0;
    }
    current_ = order_[pos_++];
    return true;
  }
  std::vector<GenPtr> gs_;
  const int k_;
  std::vector<bool> live_;
  std::vector<size_t> order_;
  size_t pos_ = 0, current_ = 0;
  int taken_ = 0;
  bool in_turn_ = false;
};

}  // namespace

GenPtr phases(std::vector<GenPtr> gs) { return std::make_unique<Phases>(std::move(gs)); }
GenPtr flip_flop(GenPtr a, GenPtr b) { return std::make_unique<FlipFlop>(std::move(a), std::move(b)); }
GenPtr repeat(int64_t n, GenPtr g) { return std::make_unique<Repeat>(n, std::move(g)); }
GenPtr shuffled_turns(std::vector<GenPtr> gs, int ops_per_turn) {
  return std::make_unique<ShuffledTurns>(std::move(gs), std::max(1, ops_per_turn));
}

}  // namespace eclat::gen
