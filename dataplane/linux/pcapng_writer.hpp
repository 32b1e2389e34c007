#pragma once
// A pcapng writer (draft-ietf-opsawg-pcapng, "PCAP Next Generation Capture File Format"):
// one Section Header Block, one Interface Description Block per captured interface, one
// Enhanced Packet Block per packet and, at close, one Interface Statistics Block per
// interface with what the kernel received and dropped.
//
// Blocks are written little-endian (the SHB's byte-order magic tells readers so), with
// nanosecond timestamps (if_tsresol = 9) and each packet's direction in epb_flags, which
// Wireshark shows as frame.p2p_dir / "Direction: Inbound|Outbound".
//
// The encode_* functions are pure (tests parse their output back); PcapngWriter puts them
// in a file.

#include <sys/types.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "base/bytes.hpp"
#include "base/result.hpp"

namespace vpnlab::dataplane::pcapng {

/// LINKTYPE_RAW (tcpdump.org link-layer header types): each packet starts with an IPv4 or
/// IPv6 header, as AF_PACKET SOCK_DGRAM delivers them on a veth and as a TUN device carries
/// them.
inline constexpr std::uint16_t kLinkTypeRaw = 101;

inline constexpr std::uint32_t kBlockShb = 0x0A0D0D0A;
inline constexpr std::uint32_t kBlockIdb = 0x00000001;
inline constexpr std::uint32_t kBlockEpb = 0x00000006;
inline constexpr std::uint32_t kBlockIsb = 0x00000005;
inline constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;

enum class Direction : std::uint8_t { unknown = 0, inbound = 1, outbound = 2 };

struct Interface {
  std::string name;         // if_name: "wan", "aws0t1"
  std::string description;  // if_description: "aws-vgw internet link (outer)"
  std::uint16_t link_type = kLinkTypeRaw;
  std::uint32_t snaplen = 0;  // 0: no limit
};

struct Packet {
  std::uint32_t interface_id = 0;  // order of add_interface
  std::uint64_t timestamp_ns = 0;  // since the Unix epoch
  ByteSpan data;                   // the captured bytes
  std::uint32_t original_length = 0;
  Direction direction = Direction::unknown;
};

struct Statistics {
  std::uint32_t interface_id = 0;
  std::uint64_t timestamp_ns = 0;
  std::uint64_t received = 0;  // isb_ifrecv
  std::uint64_t dropped = 0;   // isb_ifdrop
};

Bytes encode_section_header(const std::string& application);
Bytes encode_interface(const Interface& iface);
Bytes encode_packet(const Packet& packet);
Bytes encode_statistics(const Statistics& stats);

/// Writes blocks to a file created with `mode` (an existing file is replaced).
class Writer {
 public:
  static Checked<Writer> create(const std::string& path, mode_t mode,
                                const std::string& application);
  Writer(Writer&& other) noexcept : file_(other.file_), path_(std::move(other.path_)) {
    other.file_ = nullptr;
  }
  Writer& operator=(Writer&&) = delete;
  ~Writer();

  /// Returns the interface id packets on it carry.
  Checked<std::uint32_t> add_interface(const Interface& iface);
  Checked<void> write(const Packet& packet);
  Checked<void> write(const Statistics& stats);
  /// Flushes and closes; errors name the file.
  Checked<void> close();

 private:
  Writer(std::FILE* file, std::string path) : file_(file), path_(std::move(path)) {}
  Checked<void> put(const Bytes& block);

  std::FILE* file_ = nullptr;
  std::string path_;
  std::uint32_t interfaces_ = 0;
};

}  // namespace vpnlab::dataplane::pcapng
