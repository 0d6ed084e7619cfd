#include "cluster/host_netfilter.hpp"

#include <fcntl.h>
#include <nftables/libnftables.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "core/errors.hpp"

extern char** environ;

namespace eclat {

void nft_here(const std::string& commands) {
  std::unique_ptr<nft_ctx, decltype(&nft_ctx_free)> ctx(nft_ctx_new(NFT_CTX_DEFAULT), &nft_ctx_free);
  if (!ctx) throw HarnessError("nft: cannot create a libnftables context");
  nft_ctx_buffer_output(ctx.get());
  nft_ctx_buffer_error(ctx.get());
  if (nft_run_cmd_from_buffer(ctx.get(), commands.c_str()) != 0) {
    std::string err = nft_ctx_get_error_buffer(ctx.get());
    while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
    throw HarnessError("nft refused \"" + commands + "\": " + err);
  }
}

void nft_in(const Network& net, const Host& host, const std::string& commands) {
  net.run_in(host, [&] { nft_here(commands); });
}

void nft_drop_table(const Network& net, const Host& host, const std::string& family_and_name) {
  nft_in(net, host, "add table " + family_and_name + "\ndelete table " + family_and_name);
}

void run_program_here(const std::vector<std::string>& argv) {
  // Output to a pipe, so a failure can say what the program said.
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw HarnessError(std::string("pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&fa, fds[1], STDERR_FILENO);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  // posix_spawn forks from this thread: the child is in this thread's
  // network namespace.
  int err = posix_spawnp(&pid, argv.at(0).c_str(), &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  std::string cmd;
  for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
  if (err != 0) throw HarnessError("cannot run " + cmd + ": " + std::strerror(err));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw HarnessError(cmd + " failed (status " + std::to_string(status) + "): " + out);
}

void run_program_in(const Network& net, const Host& host, const std::vector<std::string>& argv) {
  net.run_in(host, [&] { run_program_here(argv); });
}

}  // namespace eclat
