#include "topology/probe_stream.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/errors.hpp"
#include "dataplane/linux/netns.hpp"
#include "dataplane/linux/socket_address.hpp"

namespace vpnlab::topology {
namespace {

constexpr std::uint32_t kMagic = 0x76706c62;  // "vplb": not a stray datagram
constexpr std::size_t kDatagram = 12;         // magic (4) + sequence number (8)

sockaddr_in to_sockaddr(const ProbeEndpoint& e) {
  return dataplane::socket_address(e.address, e.port);
}

Checked<int> open_socket(const ProbeEndpoint& e) {
  auto scope = dataplane::NetnsScope::enter(e.netns);
  if (!scope) return Unexpected{scope.error()};
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return fail(std::error_code(errno, std::generic_category()), "probe socket in " + e.netns);
  sockaddr_in sa = to_sockaddr(e);
  timeval tv{0, 100000};  // the receiver checks its stop flag every 100 ms
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  // The receiver thread can be starved for seconds on a loaded 2-core machine; the default
  // buffer (~280 probe datagrams) then overflows (UdpRcvbufErrors) and the probe would
  // count its own drops as the lab's. 8 MiB holds > 10 s at the default rate. FORCE (root,
  // as the netns tests run) passes net.core.rmem_max; without it the plain option caps.
  int rcvbuf = 8 << 20;
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    auto ec = std::error_code(errno, std::generic_category());
    ::close(fd);
    return fail(ec, "probe bind " + e.address.to_string() + ":" + std::to_string(e.port) + " in " +
                        e.netns);
  }
  return fd;
}

}  // namespace

DirectionReport tally(std::uint64_t sent, const std::vector<std::uint8_t>& seen, int rate_pps,
                      int bucket_ms) {
  DirectionReport r;
  r.sent = sent;
  auto ms = [rate_pps](std::uint64_t packets) {
    return rate_pps > 0 ? 1000.0 * static_cast<double>(packets) / rate_pps : 0;
  };
  std::uint64_t run = 0;
  const bool timeline = bucket_ms > 0 && rate_pps > 0;
  auto sent_ms = [rate_pps](std::uint64_t seq) {
    return 1000.0 * static_cast<double>(seq) / rate_pps;
  };
  if (timeline) {
    r.lost_per_bucket.assign(static_cast<std::size_t>(sent_ms(sent) / bucket_ms) + 1, 0);
  }
  auto close_run = [&](std::uint64_t end) {
    if (run == 0) return;
    if (r.loss_runs.size() < DirectionReport::kMaxLossRuns)
      r.loss_runs.push_back({end - run, run, ms(end - run), ms(run)});
    else
      ++r.loss_runs_dropped;
    run = 0;
  };
  for (std::uint64_t i = 0; i < sent; ++i) {
    std::uint8_t n = i < seen.size() ? seen[i] : 0;
    if (n == 0) {
      ++r.lost;
      r.longest_gap_packets = std::max(r.longest_gap_packets, ++run);
      if (timeline) {
        double at = sent_ms(i);
        if (r.first_lost_ms < 0) r.first_lost_ms = at;
        r.last_lost_ms = at;
        ++r.lost_per_bucket[static_cast<std::size_t>(at / bucket_ms)];
      }
      continue;
    }
    close_run(i);
    ++r.received;
    r.duplicates += n - 1u;
  }
  close_run(sent);
  r.longest_gap_ms = ms(r.longest_gap_packets);
  return r;
}

Checked<std::unique_ptr<ProbeStream>> ProbeStream::start(const ProbeEndpoint& a,
                                                         const ProbeEndpoint& b,
                                                         ProbeOptions options) {
  std::unique_ptr<ProbeStream> s(new ProbeStream());
  s->options_ = options;
  auto fa = open_socket(a);
  if (!fa) return Unexpected{fa.error()};
  s->a_.fd = *fa;
  s->a_.self = a;
  auto fb = open_socket(b);
  if (!fb) return Unexpected{fb.error()};  // the destructor closes a's socket
  s->b_.fd = *fb;
  s->b_.self = b;
  ProbeStream* p = s.get();
  p->started_ = std::chrono::steady_clock::now();
  p->started_unix_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  for (End* e : {&p->a_, &p->b_}) e->receiver = std::thread([p, e] { p->receive_loop(*e); });
  p->a_.sender = std::thread([p] { p->send_loop(p->a_, p->b_); });
  p->b_.sender = std::thread([p] { p->send_loop(p->b_, p->a_); });
  return s;
}

void ProbeStream::send_loop(End& from, const End& to) {
  // Paced in 10 ms rounds so that 1 kpps needs no sub-millisecond sleeps.
  const auto round = std::chrono::milliseconds(10);
  const int per_round = std::max(1, options_.rate_pps / 100);
  sockaddr_in dst = to_sockaddr(to.self);
  auto next = started_;  // sequence n goes out at started_ + n / rate
  std::uint64_t seq = 0;
  while (sending_.load()) {
    for (int i = 0; i < per_round; ++i, ++seq) {
      std::uint8_t buf[kDatagram];
      std::uint32_t magic = htonl(kMagic);
      std::memcpy(buf, &magic, 4);
      for (int k = 0; k < 8; ++k) buf[4 + k] = static_cast<std::uint8_t>(seq >> (56 - 8 * k));
      // A send error (no route while a tunnel is down) is a lost datagram, counted as sent.
      (void)::sendto(from.fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst);
      from.sent.store(seq + 1);
    }
    next += round;
    std::this_thread::sleep_until(next);
  }
}

void ProbeStream::receive_loop(End& at) {
  std::uint8_t buf[64];
  while (receiving_.load()) {
    ssize_t n = ::recv(at.fd, buf, sizeof buf, 0);
    if (n != static_cast<ssize_t>(kDatagram)) continue;  // timeout or a stray datagram
    std::uint32_t magic;
    std::memcpy(&magic, buf, 4);
    if (ntohl(magic) != kMagic) continue;
    std::uint64_t seq = 0;
    for (int k = 0; k < 8; ++k) seq = seq << 8 | buf[4 + k];
    if (seq > (std::uint64_t{1} << 32)) continue;  // implausible: not ours
    if (seq >= at.seen.size()) at.seen.resize(seq + 1024, 0);
    if (at.seen[seq] < 255) ++at.seen[seq];
    if (seq < at.highest) ++at.out_of_order;
    at.highest = std::max(at.highest, seq);
    at.received.fetch_add(1);
  }
}

ProbeReport ProbeStream::stop() {
  ProbeReport r;
  if (stopped_) return r;
  stopped_ = true;
  r.started_unix_ms = started_unix_ms_;
  sending_ = false;
  for (End* e : {&a_, &b_}) {
    if (e->sender.joinable()) e->sender.join();
  }
  std::this_thread::sleep_for(options_.drain);  // datagrams still in flight, not a timer
  receiving_ = false;
  for (End* e : {&a_, &b_}) {
    if (e->receiver.joinable()) e->receiver.join();
  }
  const int bucket = static_cast<int>(options_.bucket.count());
  r.a_to_b = tally(a_.sent.load(), b_.seen, options_.rate_pps, bucket);
  r.a_to_b.reordered = b_.out_of_order;
  r.b_to_a = tally(b_.sent.load(), a_.seen, options_.rate_pps, bucket);
  r.b_to_a.reordered = a_.out_of_order;
  return r;
}

ProbeStream::~ProbeStream() {
  stop();
  for (End* e : {&a_, &b_}) {
    if (e->fd >= 0) ::close(e->fd);
  }
}

}  // namespace vpnlab::topology
