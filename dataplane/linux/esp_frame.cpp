#include "dataplane/linux/esp_frame.hpp"

#include <cstring>

#include "base/bytes.hpp"
#include "dataplane/linux/virtio_net_hdr.hpp"

namespace vpnlab::dataplane {

// RFC 1071 in native byte order (checksum_add): stored as computed, it reads right in
// network order.
std::uint16_t ipv4_header_checksum(std::span<const std::uint8_t> header) {
  return static_cast<std::uint16_t>(~checksum_fold(checksum_add(header)));
}

void write_esp_ipv4_header(std::span<std::uint8_t, kIpv4HeaderLen> out, Ipv4Address src,
                           Ipv4Address dst, std::uint16_t payload_len, std::uint16_t id) {
  std::uint8_t* h = out.data();
  h[0] = 0x45;  // version 4, IHL 5
  h[1] = 0;
  store_be16(h + 2, static_cast<std::uint16_t>(payload_len + kIpv4HeaderLen));
  store_be16(h + 4, id);
  store_be16(h + 6, 0);  // DF clear, not a fragment
  h[8] = 64;
  h[9] = kIpProtoEsp;
  store_be16(h + 10, 0);
  store_be32(h + 12, src.value);
  store_be32(h + 16, dst.value);
  const std::uint16_t sum = ipv4_header_checksum(std::span<const std::uint8_t>(h, kIpv4HeaderLen));
  std::memcpy(h + 10, &sum, sizeof sum);
}

EspFrameResult parse_esp_frame(std::span<const std::uint8_t> frame) {
  EspFrameResult r;
  if (frame.size() < kIpv4HeaderLen) return r;
  const std::uint8_t* h = frame.data();
  if ((h[0] >> 4) != 4) {
    r.error = EspFrameError::not_ipv4;
    return r;
  }
  std::uint32_t ihl = (h[0] & 0x0fu) * 4u;  // RFC 791: IHL in 32-bit words
  if (ihl < kIpv4HeaderLen || ihl > frame.size()) {
    r.error = EspFrameError::bad_header_length;
    return r;
  }
  // RFC 1122 3.2.1.2: a header whose checksum fails is silently discarded (the packet
  // socket sees frames before the IP layer has checked anything).
  if (ipv4_header_checksum(frame.first(ihl)) != 0) {
    r.error = EspFrameError::bad_checksum;
    return r;
  }
  if (h[9] != kIpProtoEsp) {
    r.error = EspFrameError::not_esp;
    return r;
  }
  if ((load_be16(h + 6) & 0x3fffu) != 0) {  // MF set or an offset: a fragment
    r.error = EspFrameError::fragment;
    return r;
  }
  std::uint32_t total = load_be16(h + 2);
  if (total < ihl || total > frame.size()) {
    r.error = EspFrameError::bad_total_length;
    return r;
  }
  r.frame =
      EspFrame{Ipv4Address{load_be32(h + 12)}, Ipv4Address{load_be32(h + 16)}, ihl, total - ihl};
  return r;
}

}  // namespace vpnlab::dataplane
