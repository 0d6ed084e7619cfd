// Real sockets for the cluster tests: listeners, connects with a timeout, UDP.
#pragma once
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>

namespace eclat::testing {

enum class Conn { ok, refused, timeout, unreachable, other };

inline const char* to_string(Conn c) {
  switch (c) {
    case Conn::ok: return "ok";
    case Conn::refused: return "refused";
    case Conn::timeout: return "timeout";
    case Conn::unreachable: return "unreachable";
    case Conn::other: return "other";
  }
  return "?";
}

inline sockaddr_in addr_of(const std::string& ip, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (inet_pton(AF_INET, ip.c_str(), &a.sin_addr) != 1) throw std::runtime_error("bad ip " + ip);
  return a;
}

// A TCP listener on 0.0.0.0:port in the calling thread's namespace.
inline int tcp_listen(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + strerror(errno));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a = addr_of("0.0.0.0", port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 64) != 0) {
    int e = errno;
    ::close(fd);
    throw std::runtime_error(std::string("bind/listen: ") + strerror(e));
  }
  return fd;
}

// Non-blocking connect, waits up to timeout. *err gets the errno seen.
inline Conn tcp_connect(const std::string& ip, uint16_t port, std::chrono::milliseconds timeout,
                        int* err = nullptr) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + strerror(errno));
  sockaddr_in a = addr_of(ip, port);
  int e = 0;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    e = errno;
    if (e == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
      if (n == 0) {
        e = ETIMEDOUT;
      } else {
        socklen_t len = sizeof e;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len);
      }
    }
  }
  ::close(fd);
  if (err) *err = e;
  switch (e) {
    case 0: return Conn::ok;
    case ECONNREFUSED: return Conn::refused;
    case ETIMEDOUT: return Conn::timeout;
    case EHOSTUNREACH:
    case ENETUNREACH: return Conn::unreachable;
    default: return Conn::other;
  }
}

inline int udp_bind(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = addr_of("0.0.0.0", port);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
    throw std::runtime_error(std::string("udp bind: ") + strerror(errno));
  return fd;
}

inline void udp_send(const std::string& ip, uint16_t port, const std::string& msg) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = addr_of(ip, port);
  ::sendto(fd, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::close(fd);
}

// "" when nothing arrived within timeout.
inline std::string udp_recv(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return "";
  char buf[2048];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

}  // namespace eclat::testing
