#pragma once
// The virtio-net header in front of every TUN packet once IFF_VNET_HDR is set (virtio spec
// 1.2 §5.1.6 "struct virtio_net_hdr"), and the two things offloads ask of us
// (wireguard-go tun/offload_linux.go does the same):
//
//   - the kernel hands us TSO super-packets (TUNSETOFFLOAD TUN_F_TSO4): one IPv4/TCP header
//     and up to 64 KiB of payload, to be cut into gso_size segments (gso_split_tcp4);
//   - packets with VIRTIO_NET_HDR_F_NEEDS_CSUM carry only the pseudo-header sum in their
//     checksum field; we complete it (finish_checksum) before the packet is encrypted.
//
// Pure functions over spans: no system calls, testable without a TUN device.

#include <cstddef>
#include <cstdint>
#include <span>

namespace vpnlab::dataplane {

/// Size of struct virtio_net_hdr (without num_buffers: TUN's default TUNSETVNETHDRSZ).
inline constexpr std::size_t kVirtioNetHdrLen = 10;

struct VirtioNetHdr {
  static constexpr std::uint8_t kNeedsCsum = 1;  // VIRTIO_NET_HDR_F_NEEDS_CSUM
  static constexpr std::uint8_t kGsoNone = 0, kGsoTcpV4 = 1, kGsoUdp = 3, kGsoTcpV6 = 4,
                                kGsoUdpL4 = 5, kGsoEcn = 0x80;
  std::uint8_t flags = 0;
  std::uint8_t gso_type = kGsoNone;
  std::uint16_t hdr_len = 0;  // little-endian on the wire (TUN uses the host's order on x86)
  std::uint16_t gso_size = 0;
  std::uint16_t csum_start = 0;
  std::uint16_t csum_offset = 0;
};

/// Reads the header at the start of `bytes` (which must hold kVirtioNetHdrLen bytes).
VirtioNetHdr decode_vnet_hdr(std::span<const std::uint8_t> bytes);
/// Writes it into out[0, kVirtioNetHdrLen).
void encode_vnet_hdr(const VirtioNetHdr& h, std::span<std::uint8_t> out);

/// One's complement sum (RFC 1071) of bytes in native byte order, added to `acc`, unfolded.
std::uint64_t checksum_add(std::span<const std::uint8_t> bytes, std::uint64_t acc = 0);
/// Folds a sum to 16 bits (still native order).
std::uint16_t checksum_fold(std::uint64_t acc);

/// Completes a partial checksum (NEEDS_CSUM): the one's complement of the sum over
/// packet[csum_start, end), stored at csum_start + csum_offset. False if the offsets do not
/// fit the packet (the packet is then left as is).
bool finish_checksum(const VirtioNetHdr& h, std::span<std::uint8_t> packet);

/// Where gso_split_tcp4 writes segments: storage for one segment of `length` bytes, or
/// nullptr when there is no room (the remaining segments are dropped).
class SegmentSink {
 public:
  virtual ~SegmentSink() = default;
  virtual std::uint8_t* segment(std::size_t length) = 0;
};

/// Cuts an IPv4/TCP super-packet into segments of at most gso_size payload bytes: each gets
/// the headers with IPv4 total length, identification (+1 per segment) and header checksum
/// updated, TCP sequence number advanced, FIN/PSH only on the last and CWR only on the first
/// segment, and a full TCP checksum (RFC 9293 §3.1). Returns the number of segments written,
/// or -1 if the packet is not a well-formed IPv4/TCP super-packet.
int gso_split_tcp4(const VirtioNetHdr& h, std::span<const std::uint8_t> packet, SegmentSink& sink);

/// Cuts an IPv4/UDP super-packet (VIRTIO_NET_HDR_GSO_UDP_L4, what TUN_F_USO4 lets the kernel
/// hand us when a local sender used UDP_SEGMENT) into datagrams of gso_size payload bytes:
/// IPv4 total length, identification and header checksum, UDP length and checksum (RFC 768)
/// per datagram. Returns the number written, or -1 if it is not an IPv4/UDP packet.
int gso_split_udp4(const VirtioNetHdr& h, std::span<const std::uint8_t> packet, SegmentSink& sink);

/// The inverse, for writes to TUN (wireguard-go's TCP GRO): coalesces the longest prefix of
/// `packets` that the kernel could have produced by segmenting one super-packet - IPv4
/// without options, TCP, same addresses, ports, TTL, ToS, ACK number, window and options,
/// DF set, consecutive sequence numbers, only ACK (PSH allowed on the last), equal payload
/// sizes (the last may be shorter), at most 64 KiB. If more than one packet qualifies, the
/// super-packet is written to `out` with the TCP checksum field holding the pseudo-header
/// sum (NEEDS_CSUM) and `h` describes it; returns how many packets it holds (1: nothing was
/// written, send packets[0] as is).
std::size_t coalesce_tcp4(std::span<const std::span<const std::uint8_t>> packets,
                          std::span<std::uint8_t> out, VirtioNetHdr& h, std::size_t& out_len);

/// coalesce_tcp4 without copying the payload: writes only the super-packet's headers
/// (h.hdr_len bytes) to `header`; its payload is packets[i] after h.hdr_len bytes for each of
/// the returned count, in order (what a writev needs). out_len is the super-packet's length.
std::size_t coalesce_tcp4_headers(std::span<const std::span<const std::uint8_t>> packets,
                                  std::span<std::uint8_t> header, VirtioNetHdr& h,
                                  std::size_t& out_len);

/// The same for UDP (TUN_F_USO4): consecutive IPv4/UDP datagrams of one flow (addresses,
/// ports, TTL, ToS equal, no options, not fragments) with equal payload sizes (the last may
/// be shorter), at most 64, become one VIRTIO_NET_HDR_GSO_UDP_L4 super-packet whose UDP length
/// covers all payload and whose checksum field holds the pseudo-header sum.
std::size_t coalesce_udp4(std::span<const std::span<const std::uint8_t>> packets,
                          std::span<std::uint8_t> out, VirtioNetHdr& h, std::size_t& out_len);
/// coalesce_udp4 writing only the headers (as coalesce_tcp4_headers).
std::size_t coalesce_udp4_headers(std::span<const std::span<const std::uint8_t>> packets,
                                  std::span<std::uint8_t> header, VirtioNetHdr& h,
                                  std::size_t& out_len);

}  // namespace vpnlab::dataplane
