#pragma once
// Outer-transport sockets: ESP in UDP (RFC 3948, port 4500; also IKE on 500) and raw ESP (IP
// protocol 50). Batched with recvmmsg/sendmmsg; the mmsghdr/iovec/sockaddr arrays are
// allocated once per socket, so a batch costs one system call and no allocation.
//
// Raw sockets receive the outer IPv4 header in front of the ESP packet (raw(7)); read_batch
// removes it so the core always sees the ESP (or UDP) payload. On send the kernel builds the
// outer header.

#include <netinet/in.h>
#include <sys/socket.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dataplane/core/devices.hpp"

namespace vpnlab::dataplane {

/// The send buffer is full: waits briefly (10 ms at most) for room instead of dropping (TCP
/// inside the tunnel would take the drop for congestion). True if the socket is writable.
bool wait_socket_writable(int fd);

class LinuxDatagramSocket final : public DatagramSocket {
 public:
  enum class Kind { udp, raw_esp };
  /// How the socket shares its address with the other workers' sockets:
  ///   exclusive   the only one;
  ///   reuse_port  UDP with SO_REUSEPORT: the kernel hashes each sender's 4-tuple to one of
  ///               the sockets bound to the address, so one peer's flow stays on one worker;
  ///   send_only   a raw ESP socket for sending only: every raw socket gets a copy of every
  ///               ESP packet (raw(7)), so this one filters all of them out (a BPF "drop").
  enum class Sharing { exclusive, reuse_port, send_only };
  /// Binds to local (port ignored for raw ESP). With `offload`, UDP sockets send runs of
  /// equal-sized datagrams as one UDP_SEGMENT (GSO) message and receive coalesced ones with
  /// UDP_GRO (udp_gso.cpp), where the kernel supports them. Errors carry errno and address.
  static Checked<std::unique_ptr<LinuxDatagramSocket>> open(Kind kind, Endpoint local,
                                                            std::size_t batch = 64,
                                                            bool offload = false,
                                                            Sharing sharing = Sharing::exclusive);
  ~LinuxDatagramSocket() override;

  std::size_t batch_size() const override { return batch_; }
  bool udp_encap() const override { return kind_ == Kind::udp; }
  Result<std::size_t> read_batch(PacketBatch& out, PacketPool& pool) override;
  Result<std::size_t> write_batch(PacketBatch& in) override;
  Result<void> send_control(const Endpoint& peer, ByteSpan payload) override;

  int fd() const { return fd_; }
  const Endpoint& local() const { return local_; }
  bool gso() const { return gso_; }
  bool gro() const { return gro_; }
  /// Coalesced datagrams received and segments cut from them; segments lost for want of room.
  std::uint64_t gro_datagrams() const { return gro_datagrams_; }
  std::uint64_t gro_segments() const { return gro_segments_; }
  std::uint64_t gro_overflow() const { return gro_overflow_; }

 private:
  LinuxDatagramSocket(int fd, Kind kind, Endpoint local, std::size_t batch);
  void strip_ip_header(PacketBuf& p) const;
  void enable_offload();
  Result<std::size_t> read_batch_gro(PacketBatch& out, PacketPool& pool);
  Result<std::size_t> write_batch_gso(PacketBatch& in);
  std::size_t split_gro(std::size_t msg, PacketBatch& out, PacketPool& pool);

  int fd_;
  Kind kind_;
  Endpoint local_;
  std::size_t batch_;
  // Scratch for recvmmsg/sendmmsg, sized for batch_ (used by one worker at a time each).
  std::vector<mmsghdr> rx_msgs_, tx_msgs_;
  std::vector<iovec> rx_iov_, tx_iov_;
  std::vector<sockaddr_in> rx_addr_, tx_addr_;
  std::vector<PooledPacket> rx_bufs_;
  // Offload state (udp_gso.cpp).
  bool gso_ = false, gro_ = false;
  std::unique_ptr<std::uint8_t[]> gro_bufs_;     // kGroBuffers x 64 KiB
  std::vector<std::uint8_t> rx_cmsg_, tx_cmsg_;  // one control buffer per message (the
                                                 // inbound and outbound workers run at once)
  std::vector<iovec> gso_iov_;                   // iovecs of all packets of a send batch
  std::vector<std::uint32_t> gso_count_;         // packets per message of a send batch
  std::uint64_t gro_datagrams_ = 0, gro_segments_ = 0, gro_overflow_ = 0;
};

}  // namespace vpnlab::dataplane
