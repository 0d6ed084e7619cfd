// eclat serve [--results DIR] [--port 8080] [--bind 127.0.0.1]: the results
// browser (cli/serve/server.hpp). Loopback by default: the results hold
// node logs and commands, not something to publish by accident; --bind
// 0.0.0.0 is the user's explicit choice.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "cli/commands.hpp"
#include "cli/serve/server.hpp"
#include "core/errors.hpp"
#include "core/flags.hpp"

namespace eclat {
namespace {

const char* kServeUsage =
    "usage: eclat serve [--results DIR] [--port PORT] [--bind ADDRESS]\n"
    "\n"
    "Serves a browser over every run and suite under the results directory\n"
    "(default ./results): the runs list (filter, sort, live progress), each run\n"
    "(verdicts, why it failed, plots, timeline, faults, merged logs, history\n"
    "search, downloads) and each suite. Read-only; Ctrl-C stops it.\n"
    "\n"
    "  --results DIR    what to serve (default results; a missing or empty one is\n"
    "                   served as an empty list, and said)\n"
    "  --port PORT      default 8080; 0 picks a free port (printed)\n"
    "  --bind ADDRESS   default 127.0.0.1 (this host only)\n"
    "Exit: 0 stopped, 3 bad input, 4 cannot listen.\n";

int port_flag(const std::string& v) {
  try {
    size_t used = 0;
    const int p = std::stoi(v, &used);
    if (used == v.size() && p >= 0 && p <= 65535) return p;
  } catch (const std::exception&) {
  }
  throw BadInput("--port needs a port number 0-65535, got \"" + v + "\"");
}

}  // namespace

int serve_command(const std::vector<std::string>& args) {
  serve::ServeOptions opt;
  refuse_repeated_flags(args);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw BadInput(a + " needs a value");
      return args[++i];
    };
    if (a == "--help" || a == "-h") {
      printf("%s", kServeUsage);
      return kExitValid;
    } else if (a == "--results") {
      opt.results = value();
      if (opt.results.empty()) throw BadInput("--results needs a directory");
    } else if (a == "--port") {
      opt.port = port_flag(value());
    } else if (a == "--bind") {
      opt.bind = value();
      if (opt.bind.empty()) throw BadInput("--bind needs an address");
    } else if (a.rfind("--", 0) == 0) {
      throw unknown_flag(a, kServeUsage, "serve");
    } else {
      throw BadInput("serve takes no argument, got \"" + a + "\" (the results directory is --results DIR)");
    }
  }
  std::error_code ec;
  if (std::filesystem::exists(opt.results, ec) && !std::filesystem::is_directory(opt.results, ec))
    throw BadInput("--results " + opt.results.string() + ": not a directory");

  // SIGINT and SIGTERM are taken by one thread with sigwait, not by a
  // handler: stopping the server locks a mutex, which a handler must not.
  // Blocked before the server starts any thread, so every thread inherits it.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  serve::Server server(opt);
  const int port = server.bind();
  if (!std::filesystem::is_directory(opt.results, ec))
    printf("serve: %s does not exist (yet): serving an empty list, runs appear as they are written\n",
           opt.results.string().c_str());
  else if (server.runs() == 0 && server.suites() == 0)
    printf("serve: no runs under %s yet: serving an empty list\n", opt.results.string().c_str());
  else
    printf("serve: %zu runs, %zu suites under %s\n", server.runs(), server.suites(), opt.results.string().c_str());
  printf("serve: http://%s:%d/\n", opt.bind.c_str(), port);
  fflush(stdout);
  std::thread stopper([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server.stop();
  });
  server.run();
  // run() also returns when the listening socket fails: the stopper is
  // woken by a signal of our own, which it takes as any other.
  kill(getpid(), SIGTERM);
  stopper.join();
  return kExitValid;
}

}  // namespace eclat
