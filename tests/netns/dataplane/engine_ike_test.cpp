// Scenario: the Linux Engine's control-plane side on real sockets, in one namespace:
//
//   vpnlab-t-<pid>-ike-g: lo 192.0.2.1 (+ 192.0.2.9 as "peer"); Engine with TUN "vti0"
//   (169.254.20.1/30), UDP 500 and 4500 bound to 192.0.2.1.
//
// A peer socket sends IKE with the non-ESP marker to 4500 and plain to 500: both reach the
// on_ike handler (marker removed) after control_fd() turns readable; send_ike answers from
// the same ports (marker added on 4500). The TUN device carries its address and MTU.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include "dataplane/linux/engine.hpp"
#include "topology.hpp"

namespace vpnlab::dataplane {
namespace {

using testing::ip;

int udp_socket(const char* address, std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, address, &a.sin_addr);
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void send_to(int fd, const char* address, std::uint16_t port, const Bytes& b) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, address, &a.sin_addr);
  ::sendto(fd, b.data(), b.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
}

Bytes receive(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 5000) <= 0) return {};
  Bytes b(2048);
  ssize_t n = ::recv(fd, b.data(), b.size(), 0);
  b.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return b;
}

TEST(EngineIke, IkeDatagramsReachTheHandlerAndRepliesLeaveFromTheSamePorts) {
  testing::Scenario s("ike");
  std::string ns = s.ns("g");
  ASSERT_TRUE(create_netns(ns));
  s.adopt(ns);
  auto nl = Netlink::open_in(ns);
  ASSERT_TRUE(nl);
  ASSERT_TRUE(nl->set_up("lo"));
  ASSERT_TRUE(nl->add_address("lo", ip("192.0.2.1"), 32));
  ASSERT_TRUE(nl->add_address("lo", ip("192.0.2.9"), 32));
  auto scope = NetnsScope::enter(ns);
  ASSERT_TRUE(scope) << scope.error().message;

  TunnelConfig t;
  t.name = "vti0";
  t.inside_address = ip("169.254.20.1");
  t.outer_local = ip("192.0.2.1");
  t.outer_remote = ip("192.0.2.9");
  t.suite = esp::SuiteId{esp::EncrAlgorithm::aes_gcm_16, 256, esp::IntegAlgorithm::none};
  auto engine = Engine::create({t}, EngineOptions{});
  ASSERT_TRUE(engine) << engine.error().message;
  std::vector<IkeDatagram> got;
  (*engine)->on_ike([&](const IkeDatagram& d) { got.push_back(d); });
  (*engine)->start();

  int peer4500 = udp_socket("192.0.2.9", 4500), peer500 = udp_socket("192.0.2.9", 500);
  ASSERT_GE(peer4500, 0);
  ASSERT_GE(peer500, 0);
  send_to(peer4500, "192.0.2.1", 4500, Bytes{0, 0, 0, 0, 0xaa, 0xbb});  // RFC 3948 marker
  send_to(peer500, "192.0.2.1", 500, Bytes{0xcc});
  for (int i = 0; i < 50 && got.size() < 2; ++i) {
    pollfd p{(*engine)->control_fd(), POLLIN, 0};
    ::poll(&p, 1, 100);
    (*engine)->poll_control();
  }
  ASSERT_EQ(got.size(), 2u);
  std::sort(got.begin(), got.end(),
            [](const IkeDatagram& a, const IkeDatagram& b) { return a.local.port < b.local.port; });
  EXPECT_EQ(got[0].payload, (Bytes{0xcc}));
  EXPECT_EQ(got[0].remote, (Endpoint{ip("192.0.2.9"), 500}));
  EXPECT_EQ(got[1].payload, (Bytes{0xaa, 0xbb}));
  EXPECT_EQ(got[1].local, (Endpoint{ip("192.0.2.1"), 4500}));

  ASSERT_TRUE((*engine)->send_ike(got[1].local, got[1].remote, Bytes{1, 2}));
  ASSERT_TRUE((*engine)->send_ike(got[0].local, got[0].remote, Bytes{3}));
  EXPECT_EQ(receive(peer4500), (Bytes{0, 0, 0, 0, 1, 2}));
  EXPECT_EQ(receive(peer500), (Bytes{3}));

  auto link = nl->link("vti0");
  ASSERT_TRUE(link);
  EXPECT_EQ(link->mtu, 1438u);  // cloud-facts: GCM + NAT-T
  EXPECT_TRUE(link->up);
  (*engine)->stop();
  ::close(peer4500);
  ::close(peer500);
}

}  // namespace
}  // namespace vpnlab::dataplane
