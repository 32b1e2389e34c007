#pragma once
// Manual-key tunnels (like `ip xfrm state` with fixed keys), so tests and benchmarks can run
// the dataplane without IKE. One block per tunnel:
//
//   tunnel vti0                 # the tunnel and its TUN device name (<= 15 characters)
//   inside 169.254.10.1/30      # the TUN's address
//   local  192.0.2.1            # outer addresses
//   remote 192.0.2.2
//   encap  udp                  # udp (ESP in UDP 4500, RFC 3948) | raw (IP protocol 50)
//   suite  aes256gcm16          # strongSwan spelling: aes128gcm16, aes256gcm16,
//                               # aes128-sha1, aes256-sha256, aes256-sha384, aes256-sha512,
//                               # chacha20poly1305
//   in  0x2002 <encr key hex> [<integ key hex>]   # SPI and keys (AEAD keys include salt)
//   out 0x1001 <encr key hex> [<integ key hex>]
//   route 10.2.0.0/24           # optional, repeatable: prefixes routed into the tunnel
//   mtu 1400                    # optional: overrides the MTU the suite implies
//
// '#' starts a comment. Errors name the line and the field.

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "dataplane/core/sa_installer.hpp"
#include "dataplane/linux/engine.hpp"

namespace vpnlab::dataplane {

struct ManualTunnel {
  TunnelConfig tunnel;
  SaConfig inbound, outbound;
};

/// Parses the text of a manual-key file.
Checked<std::vector<ManualTunnel>> parse_manual_config(std::string_view text);
/// Reads and parses a file.
Checked<std::vector<ManualTunnel>> load_manual_config(const std::string& path);
/// The suite for a strongSwan-style name ("aes256gcm16"), if supported.
std::optional<esp::SuiteId> parse_suite(std::string_view name);

/// Installs both SAs of each tunnel and switches outbound to them.
Checked<void> install_manual(SaInstaller& installer, std::vector<ManualTunnel>& tunnels);

}  // namespace vpnlab::dataplane
