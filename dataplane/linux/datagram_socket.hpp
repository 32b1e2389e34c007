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

class LinuxDatagramSocket final : public DatagramSocket {
 public:
  enum class Kind { udp, raw_esp };
  /// Binds to local (port ignored for raw ESP). Errors carry errno and the address.
  static Checked<std::unique_ptr<LinuxDatagramSocket>> open(Kind kind, Endpoint local,
                                                            std::size_t batch = 64);
  ~LinuxDatagramSocket() override;

  std::size_t batch_size() const override { return batch_; }
  bool udp_encap() const override { return kind_ == Kind::udp; }
  Result<std::size_t> read_batch(PacketBatch& out, PacketPool& pool) override;
  Result<std::size_t> write_batch(PacketBatch& in) override;
  Result<void> send_control(const Endpoint& peer, ByteSpan payload) override;

  int fd() const { return fd_; }
  const Endpoint& local() const { return local_; }

 private:
  LinuxDatagramSocket(int fd, Kind kind, Endpoint local, std::size_t batch);
  void strip_ip_header(PacketBuf& p) const;

  int fd_;
  Kind kind_;
  Endpoint local_;
  std::size_t batch_;
  // Scratch for recvmmsg/sendmmsg, sized for batch_ (used by one worker at a time each).
  std::vector<mmsghdr> rx_msgs_, tx_msgs_;
  std::vector<iovec> rx_iov_, tx_iov_;
  std::vector<sockaddr_in> rx_addr_, tx_addr_;
  std::vector<PooledPacket> rx_bufs_;
};

}  // namespace vpnlab::dataplane
