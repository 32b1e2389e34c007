#pragma once
// A Linux TUN device (IFF_TUN | IFF_NO_PI), one per tunnel, named for the tunnel: the
// route-based tunnel's interface (what a VTI is to the kernel's XFRM). Non-blocking; the
// worker polls fd(). With IFF_MULTI_QUEUE each queue is its own fd, so several workers can
// read one device (open() again with the same name attaches another queue).

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dataplane/core/devices.hpp"

namespace vpnlab::dataplane {

class LinuxTun final : public TunDevice {
 public:
  struct Options {
    std::size_t batch = 64;
    bool multi_queue = false;
    /// IFF_VNET_HDR + TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4): the kernel may hand us TCP
    /// super-packets, which read_batch cuts into segments (tun_offload.cpp). Falls back to
    /// plain reads if the kernel refuses.
    bool offload = false;
  };
  /// Creates (or attaches a queue to) the device `name` (at most 15 characters).
  /// Errors: errc::bad_config for a bad name, errc::device_error with errno otherwise.
  static Checked<std::unique_ptr<LinuxTun>> open(const std::string& name, Options options);
  ~LinuxTun() override;

  std::size_t batch_size() const override { return batch_; }
  Result<std::size_t> read_batch(PacketBatch& out, PacketPool& pool) override;
  Result<std::size_t> write_batch(PacketBatch& in) override;

  int fd() const { return fd_; }
  bool offload() const { return vnet_; }
  /// Super-packets split and segments produced (offload mode).
  std::uint64_t gso_packets() const { return gso_packets_; }
  std::uint64_t gso_segments() const { return gso_segments_; }
  /// Coalesced super-packets written (offload mode).
  std::uint64_t gro_packets() const { return gro_packets_; }
  const std::string& name() const { return name_; }
  /// Reads that failed with something other than EAGAIN (counted, not fatal).
  std::uint64_t read_errors() const { return read_errors_; }

 private:
  LinuxTun(int fd, std::string name, std::size_t batch)
      : fd_(fd), name_(std::move(name)), batch_(batch) {}
  bool enable_offload();
  Result<std::size_t> read_batch_vnet(PacketBatch& out, PacketPool& pool);
  Result<std::size_t> write_batch_vnet(PacketBatch& in);

  int fd_;
  bool vnet_ = false;
  bool uso_ = false;  // the kernel takes and gives UDP super-packets (TUN_F_USO4, Linux 6.2)
  std::unique_ptr<std::uint8_t[]> scratch_;        // one super-packet read (offload mode)
  std::unique_ptr<std::uint8_t[]> write_scratch_;  // one coalesced write (offload mode)
  std::vector<std::span<const std::uint8_t>> views_;
  std::uint64_t gso_packets_ = 0, gso_segments_ = 0, gro_packets_ = 0;
  std::string name_;
  std::size_t batch_;
  std::uint64_t read_errors_ = 0;
};

}  // namespace vpnlab::dataplane
