// mix: a random child per ask.
#include "generator/combinators.hpp"

namespace eclat::gen {
namespace {

class Mix : public Generator {
 public:
  explicit Mix(std::vector<GenPtr> gs) : gs_(std::move(gs)) {}
  Next op(const Context& ctx) override {
    while (!gs_.empty()) {
      size_t i = std::uniform_int_distribution<size_t>(0, gs_.size() - 1)(ctx.random());
      Next n = gs_[i]->op(ctx);
      if (n.kind != Next::exhausted) return n;
      gs_.erase(gs_.begin() + static_cast<std::ptrdiff_t>(i));
    }
    return Next::done();
  }
  void update(const Context& ctx, const Op& done) override {
    for (auto& g : gs_) g->update(ctx, done);
  }
  GenPtr clone() const override {
    std::vector<GenPtr> c;
    for (const auto& g : gs_) c.push_back(g->clone());
    return std::make_unique<Mix>(std::move(c));
  }

 private:
  std::vector<GenPtr> gs_;
};

}  // namespace

GenPtr mix(std::vector<GenPtr> gs) { return std::make_unique<Mix>(std::move(gs)); }

}  // namespace eclat::gen
