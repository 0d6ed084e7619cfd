// until-ok: the outcome of each operation decides whether another comes.
#include <limits>

#include "generator/combinators.hpp"

namespace eclat::gen {
namespace {

class UntilOk : public Generator {
 public:
  explicit UntilOk(GenPtr g) : g_(std::move(g)) {}
  Next op(const Context& ctx) override {
    if (ok_) return Next::done();
    // One at a time: the next attempt waits for the outcome of this one.
    if (outstanding_) return Next::wait(std::numeric_limits<double>::infinity());
    Next n = g_->op(ctx);
    if (n.kind == Next::op) {
      outstanding_ = true;
      thread_ = ctx.thread;
    }
    return n;
  }
  void update(const Context& ctx, const Op& done) override {
    g_->update(ctx, done);
    if (!outstanding_ || ctx.thread != thread_ || done.type == OpType::invoke) return;
    outstanding_ = false;
    if (done.type == OpType::ok) ok_ = true;
  }
  GenPtr clone() const override { return std::make_unique<UntilOk>(g_->clone()); }

 private:
  GenPtr g_;
  bool outstanding_ = false, ok_ = false;
  int thread_ = 0;
};

}  // namespace

GenPtr until_ok(GenPtr g) { return std::make_unique<UntilOk>(std::move(g)); }

}  // namespace eclat::gen
