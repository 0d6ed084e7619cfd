#include "cluster/connectivity.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "core/errors.hpp"

namespace eclat {
namespace {

sockaddr_in address(const std::string& ip, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (inet_pton(AF_INET, ip.c_str(), &a.sin_addr) != 1) throw HarnessError("bad IPv4 address " + ip);
  return a;
}

int listen_on(const std::string& ip, uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw HarnessError(std::string("connectivity: socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a = address(ip, port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 256) != 0) {
    int e = errno;
    ::close(fd);
    throw HarnessError("connectivity: listen on " + ip + ":" + std::to_string(port) + ": " + std::strerror(e));
  }
  return fd;
}

bool connects(const std::string& ip, uint16_t port, std::chrono::milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return false;
  sockaddr_in a = address(ip, port);
  int e = 0;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    e = errno;
    if (e == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) {
        e = ETIMEDOUT;
      } else {
        socklen_t len = sizeof e;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len);
      }
    }
  }
  ::close(fd);
  return e == 0;
}

}  // namespace

std::set<std::pair<std::string, std::string>> broken_links(const Network& net, uint16_t port,
                                                           std::chrono::milliseconds timeout) {
  const auto hosts = net.hosts();
  std::map<std::string, int> listeners;
  struct Close {
    std::map<std::string, int>& fds;
    ~Close() {
      for (auto& [_, fd] : fds) ::close(fd);
    }
  } closer{listeners};
  for (const Host* h : hosts) net.run_in(*h, [&] { listeners[h->name] = listen_on(h->ip, port); });

  std::mutex mu;
  std::set<std::pair<std::string, std::string>> broken;
  std::vector<std::thread> probes;
  for (const Host* from : hosts) {
    probes.emplace_back([&, from] {
      net.run_in(*from, [&] {
        for (const Host* to : hosts) {
          if (to == from || connects(to->ip, port, timeout)) continue;
          std::lock_guard lock(mu);
          broken.emplace(from->name, to->name);
        }
      });
    });
  }
  for (auto& t : probes) t.join();
  return broken;
}

}  // namespace eclat
