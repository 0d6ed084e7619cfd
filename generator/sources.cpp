// Sources: generators that make operations rather than transform them.
#include <limits>

#include "generator/combinators.hpp"

namespace eclat::gen {
namespace {

class Once : public Generator {
 public:
  explicit Once(Op op) : op_(std::move(op)) {}
  Next op(const Context& ctx) override {
    if (used_) return Next::done();
    used_ = true;
    return Next::of(op_, ctx.now);
  }
  GenPtr clone() const override { return std::make_unique<Once>(op_); }

 private:
  Op op_;
  bool used_ = false;
};

class FromFn : public Generator {
 public:
  explicit FromFn(std::function<Op(const Context&)> f) : f_(std::move(f)) {}
  Next op(const Context& ctx) override { return Next::of(f_(ctx), ctx.now); }
  GenPtr clone() const override { return std::make_unique<FromFn>(f_); }

 private:
  std::function<Op(const Context&)> f_;
};

// A fixed schedule: each operation at its own offset, in the given order.
class AtTimes : public Generator {
 public:
  explicit AtTimes(std::vector<Timed> ops) : ops_(std::move(ops)) {}
  Next op(const Context&) override {
    if (next_ == ops_.size()) return Next::done();
    const Timed& t = ops_[next_++];
    return Next::of(t.op, t.at);
  }
  GenPtr clone() const override { return std::make_unique<AtTimes>(ops_); }

 private:
  std::vector<Timed> ops_;
  size_t next_ = 0;
};

}  // namespace

GenPtr once(Op op) { return std::make_unique<Once>(std::move(op)); }
GenPtr from_fn(std::function<Op(const Context&)> f) { return std::make_unique<FromFn>(std::move(f)); }
GenPtr at_times(std::vector<Timed> ops) { return std::make_unique<AtTimes>(std::move(ops)); }

}  // namespace eclat::gen
