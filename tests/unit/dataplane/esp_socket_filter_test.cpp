// The AF_PACKET ESP socket's classic BPF program (dataplane/linux/esp_socket_filter.hpp),
// run by the kernel's own BPF interpreter: attached to the receiving end of a Unix datagram
// socket pair (sk_filter runs there too, at offset 0 of the datagram, as on a SOCK_DGRAM
// packet socket at the IPv4 header). No root needed.
#include "dataplane/linux/esp_socket_filter.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "dataplane/linux/esp_frame.hpp"

namespace vpnlab::dataplane {
namespace {

const Ipv4Address kLocal = *Ipv4Address::parse("198.51.100.10");
const Ipv4Address kPeer = *Ipv4Address::parse("203.0.113.10");

class KernelFilter {
 public:
  explicit KernelFilter(std::vector<sock_filter> prog) {
    if (::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, fds_) != 0) return;
    sock_fprog f{static_cast<unsigned short>(prog.size()), prog.data()};
    attached_ = ::setsockopt(fds_[1], SOL_SOCKET, SO_ATTACH_FILTER, &f, sizeof f) == 0;
  }
  ~KernelFilter() {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  bool attached() const { return attached_; }
  /// True if the datagram got through the filter.
  bool passes(const Bytes& d) {
    if (::send(fds_[0], d.data(), d.size(), 0) < 0) return false;
    std::uint8_t buf[2048];
    return ::recv(fds_[1], buf, sizeof buf, MSG_DONTWAIT) == static_cast<ssize_t>(d.size());
  }

 private:
  int fds_[2] = {-1, -1};
  bool attached_ = false;
};

Bytes esp_to(Ipv4Address dst) {
  Bytes f(kIpv4HeaderLen + 48, 0x5a);
  write_esp_ipv4_header(std::span<std::uint8_t, kIpv4HeaderLen>(f.data(), kIpv4HeaderLen), kPeer,
                        dst, 48, 1);
  return f;
}

TEST(EspSocketFilter, KeepsWholeEspToTheLocalAddressOnly) {
  KernelFilter k(esp_socket_filter(kLocal));
  ASSERT_TRUE(k.attached());
  struct Case {
    std::string name;
    std::function<void(Bytes&)> change;
    bool passes;
  };
  const std::vector<Case> cases = {
      {"ESP to us", [](Bytes&) {}, true},
      {"ESP with DF", [](Bytes& f) { f[6] = 0x40; }, true},
      {"ESP with header options", [](Bytes& f) { f[0] = 0x46; }, true},
      {"ESP to another address", [](Bytes& f) { store_be32(&f[16], kLocal.value + 1); }, false},
      {"UDP to us", [](Bytes& f) { f[9] = 17; }, false},
      {"AH to us", [](Bytes& f) { f[9] = 51; }, false},
      {"IPv6", [](Bytes& f) { f[0] = 0x60; }, false},
      {"fragment with MF", [](Bytes& f) { f[6] = 0x20; }, false},
      {"fragment with an offset", [](Bytes& f) { f[7] = 0x10; }, false},
      {"shorter than the destination field", [](Bytes& f) { f.resize(12); }, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Bytes f = esp_to(kLocal);
    c.change(f);
    EXPECT_EQ(k.passes(f), c.passes);
  }
}

TEST(EspSocketFilter, DropAllDropsEverything) {
  KernelFilter k(drop_all_filter());
  ASSERT_TRUE(k.attached());
  EXPECT_FALSE(k.passes(esp_to(kLocal)));
}

}  // namespace
}  // namespace vpnlab::dataplane
