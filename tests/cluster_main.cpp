// main() of the cluster integration tests: the whole binary moves into a
// private lab first (before gtest starts any thread), so every test builds
// its networks and processes there and the host is never touched.
#include <gtest/gtest.h>

#include <cstdio>

#include "cluster/lab.hpp"
#include "core/errors.hpp"

int main(int argc, char** argv) {
  try {
    eclat::lab::enter();
  } catch (const eclat::HarnessError& e) {
    std::fprintf(stderr, "cannot enter the lab: %s\n", e.what());
    return eclat::kExitHarness;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
