#pragma once
// The key side of `vpnlab capture`: collect the SA keys from a running gateway (its root-only
// "keys" control command) while the capture runs, note which SAs the capture saw, and write
// Wireshark's tables for those SAs into a directory tshark reads as its configuration
// directory (WIRESHARK_CONFIG_DIR). SECRETS: the directory is 0700 and its files 0600; no key
// is ever printed.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "base/ip.hpp"
#include "base/result.hpp"
#include "dataplane/core/ipsec_classify.hpp"
#include "topology/wireshark_keys.hpp"

namespace vpnlab::cli {

/// IPsec SAs a capture saw, from packet headers only.
struct SasSeen {
  struct Esp {
    Ipv4Address src, dst;
    std::uint64_t packets = 0;
  };
  std::map<std::uint32_t, Esp> esp;  // by SPI
  // IKE_SAs by SPIi (a request's SPIr is 0 in IKE_SA_INIT), with SPIr and exchange types.
  std::map<std::uint64_t, std::pair<std::uint64_t, std::set<std::uint8_t>>> ike;
  std::uint64_t esp_packets = 0, ike_packets = 0, keepalives = 0;

  void note(const dataplane::IpsecPacket& p);
};

/// Accumulates the gateway's key snapshots: SAs removed during the capture stay known.
class KeyCollector {
 public:
  explicit KeyCollector(std::string socket_path) : socket_(std::move(socket_path)) {}
  /// One "keys" request; errors name the socket (never a key).
  Checked<void> poll();
  /// The keys of the SAs in `seen` (both directions of each CHILD_SA seen in either one).
  topology::SaKeySet select(const SasSeen& seen) const;

 private:
  std::string socket_;
  topology::SaKeySet all_;
};

struct KeyFilesWritten {
  std::size_t esp_lines = 0, ike_lines = 0;
  std::vector<std::string> notes;  // SAs Wireshark cannot take, and why
};

/// Writes esp_sa, ikev2_decryption_table and preferences (ESP decryption on) into dir,
/// creating it 0700; files 0600, replaced if present.
Checked<KeyFilesWritten> write_key_files(const std::string& dir, const topology::SaKeySet& keys);

}  // namespace vpnlab::cli
