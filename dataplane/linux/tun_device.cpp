#include "dataplane/linux/tun_device.hpp"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/errors.hpp"
#include "dataplane/core/errors.hpp"

namespace vpnlab::dataplane {

namespace {

// The kernel queues packets routed into the TUN until our worker reads them; the default
// 500 overflows under small-packet bursts while the worker waits for a CPU on a busy host.
constexpr int kTxQueueLen = 1000;

void set_txqueuelen(const std::string& name, int len) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  struct ifreq ifr {};
  std::memcpy(ifr.ifr_name, name.data(), name.size());
  ifr.ifr_qlen = len;
  ::ioctl(fd, SIOCSIFTXQLEN, &ifr);  // best effort: the default queue works, just smaller
  ::close(fd);
}

}  // namespace

Checked<std::unique_ptr<LinuxTun>> LinuxTun::open(const std::string& name, Options options) {
  if (name.empty() || name.size() >= IFNAMSIZ) {
    return fail(make_error_code(errc::bad_config),
                "TUN name '" + name + "' must have 1 to 15 characters");
  }
  int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    return fail(errno_code(errno), "open /dev/net/tun for " + name + ": " + std::strerror(errno));
  }
  struct ifreq ifr {};
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  if (options.multi_queue) ifr.ifr_flags |= IFF_MULTI_QUEUE;
  if (options.offload) ifr.ifr_flags |= IFF_VNET_HDR;
  std::memcpy(ifr.ifr_name, name.data(), name.size());
  if (::ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int err = errno;
    ::close(fd);
    return fail(errno_code(err), "TUNSETIFF " + name + ": " + std::strerror(err));
  }
  set_txqueuelen(name, kTxQueueLen);
  std::size_t batch = options.batch == 0 ? 1 : options.batch;
  std::unique_ptr<LinuxTun> tun(new LinuxTun(fd, name, batch));
  if (options.offload) tun->vnet_ = tun->enable_offload();
  return tun;
}

LinuxTun::~LinuxTun() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::size_t> LinuxTun::read_batch(PacketBatch& out, PacketPool& pool) {
  if (vnet_) return read_batch_vnet(out, pool);
  // A TUN fd without IFF_VNET_HDR hands out one packet per read(); batching here amortizes
  // the SA lookup and the sendmmsg behind it.
  std::size_t n = 0;
  while (n < batch_ && !out.full()) {
    PooledPacket p = pool.acquire();
    if (!p) break;
    auto room = p->writable();
    ssize_t got = ::read(fd_, room.data(), room.size() - kMinTailroom);
    if (got < 0) {
      if (errno != EAGAIN && errno != EINTR) ++read_errors_;
      break;
    }
    if (got == 0) continue;
    p->set_size(static_cast<std::uint32_t>(got));
    out.push(std::move(p));
    ++n;
  }
  return n;
}

Result<std::size_t> LinuxTun::write_batch(PacketBatch& in) {
  if (vnet_) return write_batch_vnet(in);
  std::size_t ok = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (::write(fd_, in[i].data(), in[i].size()) == static_cast<ssize_t>(in[i].size())) ++ok;
  }
  in.clear();
  return ok;
}

}  // namespace vpnlab::dataplane
