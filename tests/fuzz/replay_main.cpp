// The regression driver: a main() for any fuzz target file in place of
// libFuzzer's. Each argument is an input file, or a directory whose regular
// files (sorted by name, not recursive) are each an input; every input is
// given once to LLVMFuzzerTestOneInput. A finding aborts as it does under
// the fuzzer (an uncaught exception, a sanitizer report); otherwise it
// prints how many inputs ran and exits 0. Builds with g++ or clang++, with
// or without sanitizers:
//   g++ -std=c++20 -I. tests/fuzz/replay_main.cpp tests/fuzz/fuzz_args.cpp ...libs
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
    return 2;
  }
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const fs::path p(argv[i]);
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> files;
      for (const auto& e : fs::directory_iterator(p))
        if (e.is_regular_file()) files.push_back(e.path());
      std::sort(files.begin(), files.end());
      inputs.insert(inputs.end(), files.begin(), files.end());
    } else {
      inputs.push_back(p);
    }
  }
  size_t ran = 0;
  for (const auto& p : inputs) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "cannot read %s\n", p.c_str());
      return 2;
    }
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "running %s (%zu bytes)\n", p.c_str(), bytes.size());
    // A copy of exactly the input's size, as libFuzzer gives it: reading past
    // the end is then an out-of-bounds read under ASan.
    std::vector<uint8_t> data(bytes.begin(), bytes.end());
    LLVMFuzzerTestOneInput(data.empty() ? nullptr : data.data(), data.size());
    ++ran;
  }
  std::fprintf(stderr, "%zu input(s) ran without a finding\n", ran);
  return 0;
}
