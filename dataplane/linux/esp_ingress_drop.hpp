#pragma once
// Keeps the kernel's own IP stack away from the ESP packets the AF_PACKET transport
// (packet_socket.hpp) receives: an nftables table in the gateway's namespace whose netdev
// ingress chain, one per device, drops IPv4 protocol 50 to the gateway's outer addresses.
// Packet taps (our packet sockets) see a frame before the ingress hook, the IP stack after
// it, so each ESP packet is received once, by us, and the kernel neither delivers it to a raw
// socket nor answers it with ICMP protocol unreachable (RFC 1122 3.2.2.1; this kernel has no
// XFRM/ESP). Outer fragments are dropped too: the packet sockets' fanout reassembles them.
//
// Applied with nft(8) (Debian package nftables) at engine start, while the process still has
// CAP_NET_ADMIN; the table ("vpnlab_esp") replaces any left by an earlier gateway in the
// namespace, is removed when the engine stops, and disappears with the namespace.

#include <memory>
#include <string>
#include <vector>

#include "base/ip.hpp"
#include "base/result.hpp"

namespace vpnlab::dataplane {

inline constexpr const char* kEspIngressTable = "vpnlab_esp";

/// The nft script: replaces the table with one ingress chain per device, each dropping
/// IPv4 ESP to any of `locals`. Pure (unit-tested).
std::string esp_ingress_drop_script(const std::vector<std::string>& devices,
                                    const std::vector<Ipv4Address>& locals);
/// The script that removes the table, whether or not it exists.
std::string esp_ingress_remove_script();

/// Runs `nft -f -` with `script` on stdin. Errors: nft not installed, or its message.
Checked<void> run_nft(const std::string& script);

class EspIngressDrop {
 public:
  /// Installs the table. Errors name nft's complaint.
  static Checked<std::unique_ptr<EspIngressDrop>> install(const std::vector<std::string>& devices,
                                                          const std::vector<Ipv4Address>& locals);
  /// Removes the table (best effort: a failure is logged).
  ~EspIngressDrop();

 private:
  EspIngressDrop() = default;
};

}  // namespace vpnlab::dataplane
