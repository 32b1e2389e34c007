#pragma once
// A Linux TUN device (IFF_TUN | IFF_NO_PI), one per tunnel, named for the tunnel: the
// route-based tunnel's interface (what a VTI is to the kernel's XFRM). Non-blocking; the
// worker polls fd(). With IFF_MULTI_QUEUE each queue is its own fd, so several workers can
// read one device (open() again with the same name attaches another queue).

#include <string>

#include "dataplane/core/devices.hpp"

namespace vpnlab::dataplane {

class LinuxTun final : public TunDevice {
 public:
  struct Options {
    std::size_t batch = 64;
    bool multi_queue = false;
  };
  /// Creates (or attaches a queue to) the device `name` (at most 15 characters).
  /// Errors: errc::bad_config for a bad name, errc::device_error with errno otherwise.
  static Checked<std::unique_ptr<LinuxTun>> open(const std::string& name, Options options);
  ~LinuxTun() override;

  std::size_t batch_size() const override { return batch_; }
  Result<std::size_t> read_batch(PacketBatch& out, PacketPool& pool) override;
  Result<std::size_t> write_batch(PacketBatch& in) override;

  int fd() const { return fd_; }
  const std::string& name() const { return name_; }
  /// Reads that failed with something other than EAGAIN (counted, not fatal).
  std::uint64_t read_errors() const { return read_errors_; }

 private:
  LinuxTun(int fd, std::string name, std::size_t batch)
      : fd_(fd), name_(std::move(name)), batch_(batch) {}
  int fd_;
  std::string name_;
  std::size_t batch_;
  std::uint64_t read_errors_ = 0;
};

}  // namespace vpnlab::dataplane
