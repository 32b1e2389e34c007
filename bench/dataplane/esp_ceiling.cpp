// esp_ceiling: how many ESP-sized packets per second one sender core can push across a veth
// to one receiver core, per transport, with no crypto and no TUN (issue 13: can raw ESP reach
// 0.90x of ESP-in-UDP on veth by any per-packet kernel path?). Driven by esp_ceiling.sh,
// which builds the namespaces, pins each side to a core and tabulates the results.
//
//   esp_ceiling recv CASE DEV LOCAL_IP SECONDS
//   esp_ceiling send CASE DEV LOCAL_IP PEER_IP SECONDS
//
// Every packet is 1438 bytes of IPv4: an ESP packet (RFC 4303: SPI, sequence, IV 8, ICV 16,
// padding and trailer) around a 1400-byte inner packet, or the same size as UDP. CASEs:
//   udp-gso       UDP_SEGMENT sends of 46 segments (the most that fit the 64 KiB IPv4 limit
//                 at 1410 bytes each) -> a UDP_GRO socket: what ESP-in-UDP gets
//   udp           sendmmsg/recvmmsg of 64 single datagrams: the per-packet UDP path
//   pkt           the af_packet transport's own socket (packet_socket.hpp): sendmmsg of 64
//                 protocol-50 frames with PACKET_QDISC_BYPASS -> its TPACKET_V3 ring, with the
//                 gateway's nftables ingress drop (esp_ingress_drop.hpp)
//   pkt-batch256  pkt with 256 frames per sendmmsg
//   pkt-qdisc     pkt without PACKET_QDISC_BYPASS (the gateway's default: engine.hpp)
//   afxdp         the pkt sender -> an AF_XDP socket in copy mode on the receiving veth
//                 (esp_ceiling_xdp.hpp: native XDP redirect of protocol 50, no skb for the stack)
//   pkt-txring    a PACKET_TX_RING (TPACKET_V2) + QDISC_BYPASS sender, one send() per 64
//                 frames -> the same receiver as pkt
//
// Each side prints one line, "<role> case=C packets=N secs=S cpu_us=U": the receiver counts
// from its first packet to its last (it stops after 300 ms without one), cpu_us is the
// process's user+system time (getrusage) over that window - which includes softirq work the
// kernel ran while this process was current (no IRQ time accounting on this kernel).

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench/dataplane/esp_ceiling_xdp.hpp"
#include "dataplane/core/packet_pool.hpp"
#include "dataplane/linux/esp_frame.hpp"
#include "dataplane/linux/esp_ingress_drop.hpp"
#include "dataplane/linux/packet_socket.hpp"
#include "dataplane/linux/socket_address.hpp"

namespace vpnlab::bench {
namespace {

using dataplane::kIpv4HeaderLen;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kIpPacket = 1438;                              // outer IPv4 packet
constexpr std::uint32_t kEspPayload = kIpPacket - kIpv4HeaderLen;      // 1418
constexpr std::uint32_t kUdpPayload = kIpPacket - kIpv4HeaderLen - 8;  // 1410
constexpr std::uint32_t kGsoSegments = (65535 - kIpv4HeaderLen - 8) / kUdpPayload;  // 46
constexpr std::uint16_t kUdpPort = 9000;
constexpr std::size_t kBatch = 64;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "esp_ceiling: %s\n", what.c_str());
  std::exit(1);
}
void check(bool ok, const char* what) {
  if (!ok) die(std::string(what) + ": " + std::strerror(errno));
}

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

long long cpu_us() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  auto us = [](timeval t) { return t.tv_sec * 1000000LL + t.tv_usec; };
  return us(r.ru_utime) + us(r.ru_stime);
}

void report(const char* role, const std::string& kase, unsigned long long n, double secs,
            long long cpu) {
  std::printf("%s case=%s packets=%llu secs=%.4f cpu_us=%lld\n", role, kase.c_str(), n, secs, cpu);
  std::fflush(stdout);
}

// --- receiving -----------------------------------------------------------------------------

// `read` returns how many packets it took without blocking; `fd` is polled between reads.
void receive_loop(const std::string& kase, int fd, double secs,
                  const std::function<std::size_t()>& read) {
  std::printf("ready\n");
  std::fflush(stdout);
  unsigned long long got = 0;
  Clock::time_point start = Clock::now(), first{}, last{};
  long long cpu0 = 0;
  for (;;) {
    if (got == 0 && since(start) > secs + 20) break;
    if (got > 0 && (since(last) > 0.3 || since(first) > secs + 5)) break;
    std::size_t n = read();
    if (n == 0) {
      pollfd p{fd, POLLIN, 0};
      poll(&p, 1, 50);
      continue;
    }
    if (got == 0) {
      first = Clock::now();
      cpu0 = cpu_us();
    }
    got += n;
    last = Clock::now();
  }
  double span = got > 0 ? std::chrono::duration<double>(last - first).count() : 0;
  report("recv", kase, got, span, got > 0 ? cpu_us() - cpu0 : 0);
}

void receive_udp(const std::string& kase, Ipv4Address local, double secs, bool gro) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  check(fd >= 0, "socket");
  int one = 1, size = 32 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
  if (gro) check(setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof one) == 0, "UDP_GRO");
  auto a = dataplane::socket_address(local, kUdpPort);
  check(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0, "bind");
  // GRO: a datagram is up to 64 KiB of segments, the segment size in a control message.
  const std::size_t count = gro ? 8 : kBatch, room = gro ? 65536 : 2048;
  std::vector<char> bufs(count * room), ctl(count * CMSG_SPACE(sizeof(int)));
  std::vector<iovec> iov(count);
  std::vector<mmsghdr> msgs(count);
  receive_loop(kase, fd, secs, [&]() -> std::size_t {
    for (std::size_t i = 0; i < count; ++i) {
      iov[i] = iovec{bufs.data() + i * room, room};
      msgs[i] = mmsghdr{};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_control = &ctl[i * CMSG_SPACE(sizeof(int))];
      msgs[i].msg_hdr.msg_controllen = CMSG_SPACE(sizeof(int));
    }
    int n = recvmmsg(fd, msgs.data(), static_cast<unsigned>(count), MSG_DONTWAIT, nullptr);
    std::size_t packets = 0;
    for (int i = 0; i < n; ++i) {
      std::size_t seg = msgs[i].msg_len;
      for (cmsghdr* c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
        if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
          int s = 0;
          std::memcpy(&s, CMSG_DATA(c), sizeof s);
          if (s > 0) seg = static_cast<std::size_t>(s);
        }
      }
      packets += seg > 0 ? (msgs[i].msg_len + seg - 1) / seg : 1;
    }
    return packets;
  });
}

int ifindex_of(const std::string& dev) {
  int i = static_cast<int>(if_nametoindex(dev.c_str()));
  if (i == 0) die("no device " + dev);
  return i;
}

// The af_packet transport's socket as a gateway opens it (engine.cpp), on one device.
std::unique_ptr<dataplane::PacketEspSocket> open_packet(const std::string& dev, Ipv4Address local,
                                                        std::size_t batch, bool rx_ring,
                                                        bool bypass = true) {
  dataplane::PacketEspSocket::Options o;
  o.batch = batch;
  o.qdisc_bypass = bypass;
  o.ifindex = ifindex_of(dev);
  o.rx_mode = rx_ring ? dataplane::PacketRxMode::ring_v3 : dataplane::PacketRxMode::recvmmsg;
  auto sock = dataplane::PacketEspSocket::open(local, o);
  if (!sock) die(sock.error().message);
  return std::move(*sock);
}

// On stderr: tx_kernel > 0 would mean packets took the kernel's path (no confirmed neighbour).
void print_counters(const dataplane::PacketSocketCounters& c) {
  std::fprintf(stderr, "tx_frames=%llu tx_kernel=%llu rx_frames=%llu rx_malformed=%llu\n",
               static_cast<unsigned long long>(c.tx_frames.load()),
               static_cast<unsigned long long>(c.tx_kernel.load()),
               static_cast<unsigned long long>(c.rx_frames.load()),
               static_cast<unsigned long long>(c.rx_malformed.load()));
}

// The gateway's receive side as it runs today: the transport's socket with its TPACKET_V3
// ring, the frames copied out into pool buffers, the kernel's stack kept off by the drop.
void receive_packet(const std::string& kase, const std::string& dev, Ipv4Address local,
                    double secs) {
  auto drop = dataplane::EspIngressDrop::install({dev}, {local});
  if (!drop) die("ingress drop: " + drop.error().message);
  auto sock = open_packet(dev, local, kBatch, true);
  dataplane::PacketPool pool(4 * kBatch, 2048);
  dataplane::PacketBatch batch(kBatch);
  receive_loop(kase, sock->fd(), secs, [&]() -> std::size_t {
    auto n = sock->read_batch(batch, pool);
    batch.clear();
    return n ? *n : 0;
  });
  print_counters(sock->counters());
}

// The receive side on AF_XDP in copy mode (esp_ceiling_xdp.hpp), the same copy-out.
void receive_afxdp(const std::string& kase, const std::string& dev, double secs) {
  auto xsk = XskReceiver::open(dev);
  if (!xsk) die(xsk.error().message);
  dataplane::PacketPool pool(2 * kBatch, 2048);
  receive_loop(kase, xsk->fd(), secs, [&] { return xsk->read(kBatch, pool); });
  std::fprintf(stderr, "afxdp malformed=%llu\n", static_cast<unsigned long long>(xsk->malformed()));
}

// --- sending -------------------------------------------------------------------------------

void send_loop(const std::string& kase, double secs, const std::function<std::size_t()>& send) {
  unsigned long long sent = 0;
  long long cpu0 = cpu_us();
  auto start = Clock::now();
  while (since(start) < secs) sent += send();
  report("send", kase, sent, since(start), cpu_us() - cpu0);
}

void send_udp(const std::string& kase, Ipv4Address peer, double secs, bool gso) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  check(fd >= 0, "socket");
  int size = 8 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size);
  auto a = dataplane::socket_address(peer, kUdpPort);
  check(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0, "connect");
  if (gso) {
    int seg = kUdpPayload;
    check(setsockopt(fd, SOL_UDP, UDP_SEGMENT, &seg, sizeof seg) == 0, "UDP_SEGMENT");
  }
  // gso: 8 messages of kGsoSegments segments; else kBatch single datagrams.
  const std::size_t per = gso ? kGsoSegments : 1, count = gso ? 8 : kBatch;
  std::vector<char> payload(per * kUdpPayload, 'x');
  std::vector<iovec> iov(count, iovec{payload.data(), payload.size()});
  std::vector<mmsghdr> msgs(count);
  for (std::size_t i = 0; i < count; ++i) {
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  send_loop(kase, secs, [&]() -> std::size_t {
    int n = sendmmsg(fd, msgs.data(), static_cast<unsigned>(count), 0);
    return n > 0 ? static_cast<std::size_t>(n) * per : 0;
  });
}

// The transport's own send path: packets of ESP bytes in pool buffers, the socket writes the
// outer header in front of each and sendmmsg()s the batch to the neighbour's MAC.
void send_packet(const std::string& kase, const std::string& dev, Ipv4Address local,
                 Ipv4Address peer, double secs, std::size_t batch_size, bool bypass) {
  auto sock = open_packet(dev, local, batch_size, false, bypass);
  dataplane::PacketPool pool(static_cast<std::uint32_t>(2 * batch_size), 2048);
  dataplane::PacketBatch batch(batch_size);
  send_loop(kase, secs, [&]() -> std::size_t {
    for (std::size_t i = 0; i < batch_size; ++i) {
      auto p = pool.acquire();
      p->set_size(kEspPayload);  // contents do not matter to the transport
      p->peer = dataplane::Endpoint{peer, 0};
      batch.push(std::move(p));
    }
    auto n = sock->write_batch(batch);
    batch.clear();
    return n ? *n : 0;
  });
  print_counters(sock->counters());
}

// A TPACKET_V2 transmit ring (packet_mmap.rst "TX_RING"): frames are written into shared
// memory and one send() hands every frame marked SEND_REQUEST to the kernel, which builds
// skbs around the ring pages (no copy) and, with QDISC_BYPASS, calls the driver directly.
class TxRing {
 public:
  TxRing(int ifindex, std::array<std::uint8_t, 6> mac) {
    fd_ = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
    check(fd_ >= 0, "AF_PACKET socket");
    int v = TPACKET_V2, one = 1;
    check(setsockopt(fd_, SOL_PACKET, PACKET_VERSION, &v, sizeof v) == 0, "PACKET_VERSION");
    check(setsockopt(fd_, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one) == 0, "BYPASS");
    check(setsockopt(fd_, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) == 0, "IGNORE");
    tpacket_req req{kBlock, kBlocks, kFrame, kBlocks * (kBlock / kFrame)};
    check(setsockopt(fd_, SOL_PACKET, PACKET_TX_RING, &req, sizeof req) == 0, "PACKET_TX_RING");
    frames_ = req.tp_frame_nr;
    void* m =
        mmap(nullptr, std::size_t{kBlock} * kBlocks, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    check(m != MAP_FAILED, "mmap TX ring");
    base_ = static_cast<std::uint8_t*>(m);
    to_.sll_family = AF_PACKET;
    to_.sll_protocol = htons(ETH_P_IP);
    to_.sll_ifindex = ifindex;
    to_.sll_halen = 6;
    std::memcpy(to_.sll_addr, mac.data(), 6);
    check(bind(fd_, reinterpret_cast<sockaddr*>(&to_), sizeof to_) == 0, "bind");
  }

  // Fills up to `n` free frames with one ESP packet each and sends them with one send().
  std::size_t send_batch(std::size_t n, Ipv4Address src, Ipv4Address dst) {
    std::size_t filled = 0;
    for (; filled < n; ++filled) {
      auto* h = reinterpret_cast<tpacket2_hdr*>(base_ + std::size_t{next_} * kFrame);
      if (__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) != TP_STATUS_AVAILABLE) break;
      // Without PACKET_TX_HAS_OFF the data starts right after the header (SOCK_DGRAM: the
      // network header; the kernel adds the link header from to_).
      auto* data = reinterpret_cast<std::uint8_t*>(h) + TPACKET2_HDRLEN - sizeof(sockaddr_ll);
      dataplane::write_esp_ipv4_header(
          std::span<std::uint8_t, kIpv4HeaderLen>(data, kIpv4HeaderLen), src, dst, kEspPayload,
          id_++);
      h->tp_len = kIpPacket;
      __atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
      next_ = (next_ + 1) % frames_;
    }
    if (filled == 0) {  // every frame still in flight: wait for the kernel
      pollfd p{fd_, POLLOUT, 0};
      poll(&p, 1, 10);
    }
    if (sendto(fd_, nullptr, 0, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&to_), sizeof to_) < 0 &&
        errno != EAGAIN && errno != ENOBUFS) {
      die(std::string("TX ring send: ") + std::strerror(errno));
    }
    return filled;
  }

 private:
  static constexpr unsigned kBlock = 1u << 16, kBlocks = 16, kFrame = 2048;
  int fd_ = -1;
  std::uint8_t* base_ = nullptr;
  unsigned frames_ = 0, next_ = 0;
  std::uint16_t id_ = 0;
  sockaddr_ll to_{};
};

std::array<std::uint8_t, 6> parse_mac(const char* text) {
  std::array<unsigned, 6> v{};
  if (!text ||
      std::sscanf(text, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6) {
    die("PEER_MAC (environment) must be the peer's MAC address");
  }
  std::array<std::uint8_t, 6> m{};
  for (int i = 0; i < 6; ++i) m[i] = static_cast<std::uint8_t>(v[i]);
  return m;
}

void send_txring(const std::string& kase, const std::string& dev, Ipv4Address local,
                 Ipv4Address peer, double secs) {
  TxRing ring(ifindex_of(dev), parse_mac(std::getenv("PEER_MAC")));
  send_loop(kase, secs, [&] { return ring.send_batch(kBatch, local, peer); });
}

Ipv4Address address(const char* text) {
  auto a = Ipv4Address::parse(text);
  if (!a) die(std::string("not an IPv4 address: ") + text);
  return *a;
}

int usage() {
  std::fprintf(stderr,
               "usage: esp_ceiling recv CASE DEV LOCAL_IP SECONDS\n"
               "       esp_ceiling send CASE DEV LOCAL_IP PEER_IP SECONDS\n"
               "CASE: udp-gso udp pkt pkt-txring pkt-batch256 pkt-qdisc afxdp\n");
  return 2;
}

int receive(const std::string& kase, const std::string& dev, Ipv4Address local, double secs) {
  if (kase == "udp-gso" || kase == "udp") {
    receive_udp(kase, local, secs, kase == "udp-gso");
  } else if (kase.rfind("pkt", 0) == 0) {
    receive_packet(kase, dev, local, secs);
  } else if (kase == "afxdp") {
    receive_afxdp(kase, dev, secs);
  } else {
    return usage();
  }
  return 0;
}

int send(const std::string& kase, const std::string& dev, Ipv4Address local, Ipv4Address peer,
         double secs) {
  if (kase == "udp-gso" || kase == "udp") {
    send_udp(kase, peer, secs, kase == "udp-gso");
  } else if (kase == "pkt" || kase == "pkt-qdisc" || kase == "afxdp") {
    send_packet(kase, dev, local, peer, secs, kBatch, kase != "pkt-qdisc");
  } else if (kase == "pkt-batch256") {
    send_packet(kase, dev, local, peer, secs, 256, true);
  } else if (kase == "pkt-txring") {
    send_txring(kase, dev, local, peer, secs);
  } else {
    return usage();
  }
  return 0;
}

}  // namespace
}  // namespace vpnlab::bench

int main(int argc, char** argv) {
  using namespace vpnlab::bench;
  if (argc == 6 && std::strcmp(argv[1], "recv") == 0) {
    return receive(argv[2], argv[3], address(argv[4]), std::atof(argv[5]));
  }
  if (argc == 7 && std::strcmp(argv[1], "send") == 0) {
    return send(argv[2], argv[3], address(argv[4]), address(argv[5]), std::atof(argv[6]));
  }
  return usage();
}
