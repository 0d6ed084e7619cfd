// Timing: when the operations of a child are due.
#include <algorithm>
#include <cmath>
#include <limits>

#include "generator/combinators.hpp"

namespace eclat::gen {
namespace {

// stagger (random gap) and rate (fixed gap) share one rule: the next due time
// is the previous due time plus a gap, but never earlier than the previous
// operation was actually due, so that a thread slowed down by a long
// operation does not fire a backlog in a burst.
class Spaced : public Generator {
 public:
  Spaced(double dt, bool random, GenPtr g) : dt_(dt), random_(random), g_(std::move(g)) {}
  Next op(const Context& ctx) override {
    Next n = g_->op(ctx);
    if (n.kind != Next::op) return n;
    if (std::isnan(next_)) next_ = ctx.now + (random_ ? gap(ctx) : 0);
    n.at = std::max({n.at, next_, ctx.now});
    next_ = std::max(next_ + gap(ctx), n.at);
    return n;
  }
  void update(const Context& ctx, const Op& done) override { g_->update(ctx, done); }
  GenPtr clone() const override { return std::make_unique<Spaced>(dt_, random_, g_->clone()); }

 private:
  double gap(const Context& ctx) {
    if (!random_) return dt_;
    return std::uniform_real_distribution<double>(0, 2 * dt_)(ctx.random());
  }
  const double dt_;
  const bool random_;
  GenPtr g_;
  double next_ = std::numeric_limits<double>::quiet_NaN();
};

class After : public Generator {
 public:
  After(double dt, GenPtr g) : dt_(dt), g_(std::move(g)) {}
  Next op(const Context& ctx) override {
    Next n = g_->op(ctx);
    if (n.kind == Next::op) n.at = std::max(n.at, ctx.now + dt_);
    return n;
  }
  void update(const Context& ctx, const Op& done) override { g_->update(ctx, done); }
  GenPtr clone() const override { return std::make_unique<After>(dt_, g_->clone()); }

 private:
  const double dt_;
  GenPtr g_;
};

class TimeLimit : public Generator {
 public:
  TimeLimit(double s, GenPtr g) : limit_(s), g_(std::move(g)) {}
  Next op(const Context& ctx) override {
    if (std::isnan(deadline_)) deadline_ = ctx.now + limit_;
    // Judged on each ask's own time (not a sticky flag): threads on their own
    // clocks (virtual time) each reach the deadline at their own pace.
    if (ctx.now >= deadline_) return Next::done();
    Next n = g_->op(ctx);
    if (n.kind == Next::exhausted) return n;
    if (n.kind == Next::pending) return Next::wait(std::min(n.at, deadline_));
    if (n.at >= deadline_) return Next::done();
    return n;
  }
  void update(const Context& ctx, const Op& done) override { g_->update(ctx, done); }
  GenPtr clone() const override { return std::make_unique<TimeLimit>(limit_, g_->clone()); }

 private:
  const double limit_;
  GenPtr g_;
  double deadline_ = std::numeric_limits<double>::quiet_NaN();
};

}  // namespace

GenPtr stagger(double dt, GenPtr g) { return std::make_unique<Spaced>(dt, true, std::move(g)); }
GenPtr rate(double ops_per_s, GenPtr g) { return std::make_unique<Spaced>(1 / ops_per_s, false, std::move(g)); }
GenPtr after(double dt, GenPtr g) { return std::make_unique<After>(dt, std::move(g)); }
GenPtr time_limit(double seconds, GenPtr g) { return std::make_unique<TimeLimit>(seconds, std::move(g)); }

}  // namespace eclat::gen
