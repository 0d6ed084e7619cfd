// each-thread: every thread its own copy, so that a worker's sequence does
// not depend on what the others did.
#include <map>

#include "generator/combinators.hpp"

namespace eclat::gen {
namespace {

class EachThread : public Generator {
 public:
  explicit EachThread(GenPtr g) : proto_(std::move(g)) {}
  Next op(const Context& ctx) override { return copy(ctx.thread).op(ctx); }
  void update(const Context& ctx, const Op& done) override { copy(ctx.thread).update(ctx, done); }
  GenPtr clone() const override { return std::make_unique<EachThread>(proto_->clone()); }

 private:
  Generator& copy(int thread) {
    auto& g = copies_[thread];
    if (!g) g = proto_->clone();
    return *g;
  }
  GenPtr proto_;
  std::map<int, GenPtr> copies_;
};

}  // namespace

GenPtr each_thread(GenPtr g) { return std::make_unique<EachThread>(std::move(g)); }

}  // namespace eclat::gen
