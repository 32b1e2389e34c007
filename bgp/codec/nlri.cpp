#include "bgp/codec/nlri.hpp"

namespace vpnlab::bgp {

std::optional<std::string> decode_prefixes(ByteReader r, std::vector<Ipv4Prefix>& out,
                                           std::size_t& error_offset) {
  while (!r.empty()) {
    error_offset = r.offset();
    std::uint8_t bits = *r.u8();
    if (bits > 32) return "prefix length " + std::to_string(bits) + " exceeds 32";
    std::size_t octets = (bits + 7u) / 8u;
    auto body = r.bytes(octets);
    if (!body)
      return "prefix /" + std::to_string(bits) + " needs " + std::to_string(octets) + " octets, " +
             std::to_string(r.remaining()) + " left";
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | (i < octets ? (*body)[i] : 0u);
    Ipv4Prefix p{Ipv4Address{v}, bits};
    p.address = p.network();
    out.push_back(p);
  }
  return std::nullopt;
}

void encode_prefix(ByteWriter& w, const Ipv4Prefix& p) {
  w.u8(p.length);
  std::uint32_t v = p.network().value;
  for (std::size_t i = 0; i < encoded_prefix_size(p) - 1; ++i)
    w.u8(static_cast<std::uint8_t>(v >> (24 - 8 * i)));
}

std::size_t encoded_prefix_size(const Ipv4Prefix& p) {
  return 1 + (p.length + 7u) / 8u;
}

}  // namespace vpnlab::bgp
