#pragma once
// RFC 5492 capabilities carried in the OPEN optional parameter of type 2:
//
//   +------------------------------+
//   | Capability Code (1 octet)    |
//   +------------------------------+
//   | Capability Length (1 octet)  |
//   +------------------------------+
//   | Capability Value (variable)  |
//   +------------------------------+
//
// Understood: Multiprotocol (1, RFC 4760 §8), Route Refresh (2, RFC 2918 §2), Graceful
// Restart (64, RFC 4724 §3), 4-octet AS (65, RFC 6793 §3). Others are kept raw (RFC 5492
// §3: a speaker ignores capabilities it does not understand).

#include <optional>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "bgp/codec/decode_error.hpp"
#include "bgp/codec/types.hpp"

namespace vpnlab::bgp {

enum class CapabilityCode : std::uint8_t {
  multiprotocol = 1,
  route_refresh = 2,
  graceful_restart = 64,
  four_octet_as = 65,
};

/// RFC 4724 §3: Restart Flags (R bit), Restart Time (12 bits), and per AFI/SAFI the
/// Forwarding State bit.
struct GracefulRestartCapability {
  bool restart_state = false;  // R bit: the sender has restarted
  Seconds restart_time{0};     // 0..4095
  struct Family {
    AfiSafi afi_safi;
    bool forwarding_preserved = false;
    bool operator==(const Family&) const = default;
  };
  std::vector<Family> families;
  bool operator==(const GracefulRestartCapability&) const = default;
};

struct RawCapability {
  std::uint8_t code = 0;
  Bytes value;
  bool operator==(const RawCapability&) const = default;
};

struct Capabilities {
  std::vector<AfiSafi> multiprotocol;
  bool route_refresh = false;
  std::optional<Asn> four_octet_as;
  std::optional<GracefulRestartCapability> graceful_restart;
  std::vector<RawCapability> unknown;

  bool supports(AfiSafi f) const;
  bool operator==(const Capabilities&) const = default;
};

/// Decodes the capabilities of one optional parameter (its value, without type/length)
/// and merges them into caps. Errors are OPEN Message Error (RFC 5492 §3, RFC 4271 §6.2).
std::optional<DecodeError> decode_capabilities(ByteReader r, Capabilities& caps);
/// Writes the capabilities as a single optional parameter of type 2 (header included).
void encode_capabilities_parameter(ByteWriter& w, const Capabilities& caps);

}  // namespace vpnlab::bgp
