#pragma once
// PacketBuf: one contiguous buffer with headroom and tailroom (STYLE.md "Packet buffers and
// ownership"). A TUN read lands at `kDefaultHeadroom`, leaving room in front for what
// encapsulation prepends (virtio-net header, outer IPv4 + UDP for NAT-T, ESP header, IV), and
// room behind for what it appends (padding, pad length, next header, ICV), so ESP seals in
// place without copying.
//
// The bytes live in a PacketPool; a PacketBuf never allocates. Metadata carried with the
// packet: the datagram peer (socket side), the tunnel it belongs to, and the GSO segment size
// when the buffer holds a super-packet.

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/ip.hpp"

namespace vpnlab::dataplane {

/// Room in front of the packet: virtio_net_hdr (12) + IPv4 (20) + UDP (8) + ESP header (8)
/// + IV (16 for AES-CBC) = 64, rounded up so the inner packet stays cache-line aligned.
inline constexpr std::uint32_t kDefaultHeadroom = 128;
/// Room behind: up to 255 bytes of padding would be legal (RFC 4303 2.4), but we pad only to
/// the block size: 15 + pad length + next header + ICV (up to 32) fits in 64.
inline constexpr std::uint32_t kMinTailroom = 64;

/// A UDP or raw-IP peer: address plus port (0 for raw ESP).
struct Endpoint {
  Ipv4Address address;
  std::uint16_t port = 0;
  auto operator<=>(const Endpoint&) const = default;
};

/// Index of a tunnel inside one Dataplane (dense, 0..n-1).
struct TunnelId {
  std::uint16_t value = 0;
  auto operator<=>(const TunnelId&) const = default;
};

class PacketBuf {
 public:
  PacketBuf(std::uint8_t* storage, std::uint32_t capacity) : base_(storage), cap_(capacity) {}
  PacketBuf(const PacketBuf&) = delete;
  PacketBuf& operator=(const PacketBuf&) = delete;

  /// Empties the buffer, the data starting at `headroom`.
  void reset(std::uint32_t headroom = kDefaultHeadroom) {
    head_ = headroom <= cap_ ? headroom : cap_;
    len_ = 0;
    peer = {};
    tunnel = {};
    gso_size = 0;
  }

  std::uint8_t* data() { return base_ + head_; }
  const std::uint8_t* data() const { return base_ + head_; }
  std::uint32_t size() const { return len_; }
  std::uint32_t capacity() const { return cap_; }
  std::uint32_t headroom() const { return head_; }
  std::uint32_t tailroom() const { return cap_ - head_ - len_; }
  std::span<std::uint8_t> bytes() { return {data(), len_}; }
  std::span<const std::uint8_t> bytes() const { return {data(), len_}; }
  /// Everything after the data start (data + tailroom): where a read may write.
  std::span<std::uint8_t> writable() { return {data(), cap_ - head_}; }

  /// Grows the packet at the front by n bytes and returns them (false-y empty span if the
  /// headroom is too small; the packet is then unchanged).
  std::span<std::uint8_t> push_front(std::uint32_t n) {
    if (n > head_) return {};
    head_ -= n;
    len_ += n;
    return {data(), n};
  }
  /// Removes n bytes from the front; returns false (unchanged) if the packet is shorter.
  bool pull_front(std::uint32_t n) {
    if (n > len_) return false;
    head_ += n;
    len_ -= n;
    return true;
  }
  /// Grows the packet at the back by n bytes and returns them (empty span if no tailroom).
  std::span<std::uint8_t> push_back(std::uint32_t n) {
    if (n > tailroom()) return {};
    std::span<std::uint8_t> out{data() + len_, n};
    len_ += n;
    return out;
  }
  /// Removes n bytes from the back; false (unchanged) if the packet is shorter.
  bool trim(std::uint32_t n) {
    if (n > len_) return false;
    len_ -= n;
    return true;
  }
  /// Sets the length after a read into writable(); false if it exceeds the room.
  bool set_size(std::uint32_t n) {
    if (n > cap_ - head_) return false;
    len_ = n;
    return true;
  }
  /// The whole buffer, headroom and tailroom included (for in-place codecs that take a
  /// buffer plus offset/length, as esp::OutboundSa::encap does).
  std::span<std::uint8_t> storage() { return {base_, cap_}; }
  /// Makes storage()[offset, offset + length) the packet; false (unchanged) if out of range.
  bool set_region(std::size_t offset, std::size_t length) {
    if (offset > cap_ || length > cap_ - offset) return false;
    head_ = static_cast<std::uint32_t>(offset);
    len_ = static_cast<std::uint32_t>(length);
    return true;
  }
  /// Moves the data start (keeping the length); used when a read landed at another offset.
  bool set_headroom(std::uint32_t headroom) {
    if (headroom + len_ > cap_) return false;
    head_ = headroom;
    return true;
  }

  Endpoint peer;               // socket side: where it came from / goes to
  TunnelId tunnel;             // which tunnel it belongs to
  std::uint16_t gso_size = 0;  // > 0: a super-packet of segments of this payload size

 private:
  std::uint8_t* base_;
  std::uint32_t cap_;
  std::uint32_t head_ = kDefaultHeadroom;
  std::uint32_t len_ = 0;
};

}  // namespace vpnlab::dataplane
