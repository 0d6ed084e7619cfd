// A small program for the lab tests: enters the lab, then behaves as asked.
//   cluster_lab_helper nodes N   build N hosts, start `sleep 1000` in each, print "ready", wait
//   cluster_lab_helper exit C    exit with code C from inside the lab
//   cluster_lab_helper segv      crash PID 1 of the lab with SIGSEGV
//   cluster_lab_helper wait      print "ready", wait (for a forwarded signal)
//   cluster_lab_helper whoami    print "pid=<pid> inside=<0|1>"
//   cluster_lab_helper thread    start a thread first: enter() must refuse (exit 4)
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cluster/lab.hpp"
#include "cluster/network.hpp"
#include "cluster/process.hpp"
#include "core/errors.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s nodes N | exit C | segv | wait | whoami\n", argv[0]);
    return 3;
  }
  const std::string mode = argv[1];
  std::thread early;
  if (mode == "thread") early = std::thread([] { pause(); });
  try {
    eclat::lab::enter();
    if (mode == "exit") return argc > 2 ? std::atoi(argv[2]) : 0;
    if (mode == "segv") {
      volatile int* p = nullptr;
      *p = 1;
    }
    if (mode == "whoami") {
      std::printf("pid=%d inside=%d\n", getpid(), eclat::lab::inside() ? 1 : 0);
      return 0;
    }
    std::unique_ptr<eclat::Network> net;
    std::vector<std::unique_ptr<eclat::NodeProcess>> nodes;
    if (mode == "nodes") {
      int n = argc > 2 ? std::atoi(argv[2]) : 2;
      net = std::make_unique<eclat::Network>();
      std::string tmpl = (std::filesystem::temp_directory_path() / "eclat-lab-helper-XXXXXX").string();
      if (!mkdtemp(tmpl.data())) throw eclat::HarnessError("mkdtemp failed");
      const std::filesystem::path logs = tmpl;
      for (int i = 1; i <= n; ++i) {
        const auto& h = net->add_host("n" + std::to_string(i), i);
        eclat::ProcessSpec spec;
        spec.name = h.name;
        spec.exe = "/bin/sleep";
        spec.args = {"1000"};
        spec.netns_fd = h.netns_fd;
        spec.log_dir = logs / h.name;
        nodes.push_back(std::make_unique<eclat::NodeProcess>(spec));
        nodes.back()->start();
      }
    } else if (mode != "wait") {
      std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
      return 3;
    }
    std::printf("ready\n");
    std::fflush(stdout);
    for (;;) pause();
  } catch (const eclat::HarnessError& e) {
    std::fprintf(stderr, "harness error: %s\n", e.what());
    std::fflush(stderr);
    std::_Exit(eclat::kExitHarness);  // without joining `early`
  }
}
