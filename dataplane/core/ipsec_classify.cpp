#include "dataplane/core/ipsec_classify.hpp"

namespace vpnlab::dataplane {
namespace {

constexpr std::uint8_t kProtoUdp = 17;
constexpr std::uint8_t kProtoEsp = 50;
constexpr std::uint16_t kPortIke = 500;
constexpr std::uint16_t kPortNatT = 4500;
constexpr std::size_t kIkeHeaderLen = 28;  // RFC 7296 3.1

// The IKE header's SPIs and exchange type (RFC 7296 3.1), at the start of `r`.
IpsecPacket read_ike(IpsecPacket p, ByteReader r) {
  auto spi_i = r.u64();
  auto spi_r = r.u64();
  if (!spi_i || !spi_r || !r.skip(2)) return p;  // next payload, version
  auto exchange = r.u8();
  if (!exchange) return p;
  p.kind = IpsecKind::ike;
  p.ike_spi_i = *spi_i;
  p.ike_spi_r = *spi_r;
  p.ike_exchange = *exchange;
  return p;
}

IpsecPacket read_udp(IpsecPacket p, ByteReader r) {
  auto sport = r.u16();
  auto dport = r.u16();
  if (!sport || !dport || !r.skip(4)) return p;  // length, checksum
  bool ike_port = *sport == kPortIke || *dport == kPortIke;
  bool natt_port = *sport == kPortNatT || *dport == kPortNatT;
  if (ike_port && r.remaining() >= kIkeHeaderLen) return read_ike(p, r);
  if (!natt_port) return p;
  ByteSpan rest = r.rest();
  // RFC 3948 2.3: a NAT keepalive is one octet 0xFF.
  if (rest.size() == 1 && rest[0] == 0xFF) {
    p.kind = IpsecKind::nat_keepalive;
    return p;
  }
  auto first = r.u32();
  if (!first) return p;
  // RFC 3948 2.2: four zero octets (non-ESP marker) precede IKE; otherwise it is the SPI.
  if (*first == 0) return r.remaining() >= kIkeHeaderLen ? read_ike(p, r) : p;
  if (r.remaining() < 4) return p;  // an ESP header has the sequence number too
  p.kind = IpsecKind::esp;
  p.esp_spi = *first;
  return p;
}

}  // namespace

IpsecPacket classify_ipsec(ByteSpan packet) {
  IpsecPacket p;
  ByteReader r(packet);
  auto vihl = r.u8();
  if (!vihl || (*vihl >> 4) != 4) return p;
  std::size_t ihl = std::size_t{*vihl & 0x0Fu} * 4;
  if (ihl < 20 || packet.size() < ihl || !r.skip(5)) return p;  // tos, length, id
  auto frag = r.u16();
  if (!frag || !r.skip(1)) return p;  // ttl
  auto proto = r.u8();
  if (!proto || !r.skip(2)) return p;  // checksum
  auto src = r.u32();
  auto dst = r.u32();
  if (!src || !dst) return p;
  p.src = Ipv4Address{*src};
  p.dst = Ipv4Address{*dst};
  // Only a first fragment carries the transport header (RFC 791 offset 0).
  if ((*frag & 0x1FFF) != 0) return p;
  ByteReader body(packet.subspan(ihl), ihl);
  if (*proto == kProtoEsp) {
    auto spi = body.u32();
    if (spi && body.remaining() >= 4) {
      p.kind = IpsecKind::esp;
      p.esp_spi = *spi;
    }
    return p;
  }
  if (*proto == kProtoUdp) return read_udp(p, body);
  return p;
}

bool capture_filter_matches(const CaptureFilter& f, ByteSpan packet) {
  if (!f.ipsec_only && !f.pair_only) return true;
  IpsecPacket p = classify_ipsec(packet);
  if (f.ipsec_only && p.kind == IpsecKind::other) return false;
  if (f.pair_only) {
    bool forward = p.src == f.a && p.dst == f.b;
    bool reverse = p.src == f.b && p.dst == f.a;
    if (!forward && !reverse) return false;
  }
  return true;
}

}  // namespace vpnlab::dataplane
