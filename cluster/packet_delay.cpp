#include "cluster/packet_delay.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

extern "C" {
#include <libnetfilter_queue/libnetfilter_queue.h>
}

#include <atomic>
#include <cstring>
#include <mutex>
#include <queue>
#include <random>
#include <thread>
#include <vector>

#include "cluster/host_netfilter.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"

namespace eclat {
namespace {
using Clock = std::chrono::steady_clock;
struct Held {
  Clock::time_point due;
  uint32_t id;
  bool operator>(const Held& o) const { return due > o.due; }
};
}  // namespace

struct DelayQueue::Impl {
  const Network& net;
  const Host& host;
  uint16_t queue;
  std::string destinations;
  std::chrono::microseconds delay, jitter;
  std::mt19937_64 rng;
  nfq_handle* h = nullptr;
  nfq_q_handle* qh = nullptr;
  int fd = -1;
  int wake[2] = {-1, -1};  // wakes the reader to stop
  bool rule_installed = false;
  std::atomic<int64_t> packets{0};
  std::priority_queue<Held, std::vector<Held>, std::greater<Held>> held;
  std::thread reader;

  Impl(const Network& n, const Host& ho, uint16_t q, std::chrono::microseconds d, std::chrono::microseconds j,
       uint64_t seed)
      : net(n), host(ho), queue(q), delay(d), jitter(j), rng(seed) {}

  static int on_packet(nfq_q_handle*, nfgenmsg*, nfq_data* nfa, void* data) {
    auto* self = static_cast<Impl*>(data);
    nfqnl_msg_packet_hdr* ph = nfq_get_msg_packet_hdr(nfa);
    if (!ph) return 0;
    auto extra = std::chrono::microseconds(0);
    if (self->jitter.count() > 0)
      extra = std::chrono::microseconds(std::uniform_int_distribution<int64_t>(
          -self->jitter.count(), self->jitter.count())(self->rng));
    auto wait = self->delay + extra;
    if (wait.count() < 0) wait = std::chrono::microseconds(0);
    self->held.push({Clock::now() + wait, ntohl(ph->packet_id)});
    self->packets.fetch_add(1);
    return 0;
  }

  void release_due(bool all) {
    const auto now = Clock::now();
    while (!held.empty() && (all || held.top().due <= now)) {
      nfq_set_verdict(qh, held.top().id, NF_ACCEPT, 0, nullptr);
      held.pop();
    }
  }

  void loop() {
    std::vector<char> buf(0x10000);
    for (;;) {
      int timeout = -1;
      if (!held.empty()) {
        auto ms = std::chrono::duration_cast<std::chrono::microseconds>(held.top().due - Clock::now()).count();
        timeout = ms <= 0 ? 0 : static_cast<int>((ms + 999) / 1000);
      }
      pollfd p[2] = {{fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
      int n = ::poll(p, 2, timeout);
      if (n < 0 && errno != EINTR) break;
      if (p[1].revents) break;
      if (n > 0 && (p[0].revents & POLLIN)) {
        // Drain what is there without blocking.
        for (;;) {
          ssize_t len = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
          if (len <= 0) break;  // EAGAIN, or ENOBUFS when the kernel dropped messages: go on
          nfq_handle_packet(h, buf.data(), static_cast<int>(len));
        }
      }
      release_due(false);
    }
  }
};

std::vector<std::string> DelayQueue::rule(uint16_t queue, const std::string& destinations) {
  // Packets this host sends to the lab (not to itself over lo).
  return {"OUTPUT", "-o", "eth0", "-d", destinations, "-j", "NFQUEUE", "--queue-num", std::to_string(queue),
          "--queue-bypass"};
}

DelayQueue::DelayQueue(const Network& net, const Host& host, uint16_t queue, const std::string& destinations,
                       std::chrono::microseconds delay, std::chrono::microseconds jitter, uint64_t seed)
    : impl_(std::make_unique<Impl>(net, host, queue, delay, jitter, seed)) {
  impl_->destinations = destinations;
  Impl& m = *impl_;
  std::string error;
  // The netlink socket is opened inside the host's namespace: it binds that
  // namespace's queue.
  net.run_in(host, [&] {
    m.h = nfq_open();
    if (!m.h) {
      error = std::string("nfq_open: ") + std::strerror(errno);
      return;
    }
    m.qh = nfq_create_queue(m.h, queue, &Impl::on_packet, &m);
    if (!m.qh) {
      error = "nfq_create_queue " + std::to_string(queue) + ": " + std::strerror(errno);
      return;
    }
    nfq_set_mode(m.qh, NFQNL_COPY_META, 0);
    nfq_set_queue_maxlen(m.qh, 100000);
    nfq_set_queue_flags(m.qh, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN);
    m.fd = nfq_fd(m.h);
    int size = 8 << 20;
    ::setsockopt(m.fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
  });
  if (!error.empty()) {
    if (m.qh) nfq_destroy_queue(m.qh);
    if (m.h) nfq_close(m.h);
    throw HarnessError("delay on " + host.name + ": " + error);
  }
  if (::pipe2(m.wake, O_CLOEXEC) != 0) throw HarnessError(std::string("pipe: ") + std::strerror(errno));
  m.reader = std::thread([&m] { m.loop(); });
  std::vector<std::string> argv = {"iptables", "-w", "-A"};
  for (auto& a : rule(queue, destinations)) argv.push_back(a);
  try {
    run_program_in(net, host, argv);
    m.rule_installed = true;
  } catch (...) {
    impl_.reset();  // stops the reader, closes the queue
    throw;
  }
}

DelayQueue::~DelayQueue() {
  if (!impl_) return;
  Impl& m = *impl_;
  if (m.rule_installed) {
    std::vector<std::string> argv = {"iptables", "-w", "-D"};
    for (auto& a : rule(m.queue, m.destinations)) argv.push_back(a);
    try {
      run_program_in(m.net, m.host, argv);
    } catch (const std::exception& e) {
      ECLAT_LOG(warn, "delay") << e.what();
    }
  }
  if (m.reader.joinable()) {
    (void)!::write(m.wake[1], "x", 1);
    m.reader.join();
  }
  if (m.qh) {
    m.release_due(true);  // what is still held goes now
    nfq_destroy_queue(m.qh);
  }
  if (m.h) nfq_close(m.h);
  for (int fd : m.wake)
    if (fd >= 0) ::close(fd);
}

int64_t DelayQueue::packets() const { return impl_->packets.load(); }

}  // namespace eclat
