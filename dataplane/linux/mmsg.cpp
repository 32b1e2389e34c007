#include "dataplane/linux/mmsg.hpp"

#include <cerrno>

#include "dataplane/linux/datagram_socket.hpp"

namespace vpnlab::dataplane {

std::size_t prepare_receive(PacketPool& pool, std::size_t want, std::vector<PooledPacket>& bufs,
                            mmsghdr* msgs, iovec* iov, void* names, socklen_t namelen) {
  bufs.clear();
  for (std::size_t i = 0; i < want; ++i) {
    PooledPacket p = pool.acquire();
    if (!p) break;
    auto room = p->writable();
    iov[i] = iovec{room.data(), room.size()};
    msgs[i] = mmsghdr{};
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    if (names != nullptr) {
      msgs[i].msg_hdr.msg_name = static_cast<char*>(names) + i * namelen;
      msgs[i].msg_hdr.msg_namelen = namelen;
    }
    bufs.push_back(std::move(p));
  }
  return bufs.size();
}

std::size_t receive_messages(int fd, mmsghdr* msgs, std::vector<PooledPacket>& bufs) {
  int got = ::recvmmsg(fd, msgs, static_cast<unsigned>(bufs.size()), MSG_DONTWAIT, nullptr);
  if (got <= 0) {
    bufs.clear();
    return 0;
  }
  return static_cast<std::size_t>(got);
}

void prepare_send(mmsghdr& msg, iovec& iov, void* data, std::size_t len, void* name,
                  socklen_t namelen) {
  iov = iovec{data, len};
  msg = mmsghdr{};
  msg.msg_hdr.msg_iov = &iov;
  msg.msg_hdr.msg_iovlen = 1;
  msg.msg_hdr.msg_name = name;
  msg.msg_hdr.msg_namelen = namelen;
}

std::size_t send_messages(int fd, mmsghdr* msgs, std::size_t count) {
  std::size_t at = 0, sent_total = 0;
  int retries = 0;
  while (at < count) {
    int sent = ::sendmmsg(fd, msgs + at, static_cast<unsigned>(count - at), 0);
    if (sent < 0 && (errno == EAGAIN || errno == ENOBUFS) && ++retries < 100 &&
        wait_socket_writable(fd)) {
      continue;
    }
    if (sent <= 0) {
      ++at;  // the first message failed: skip it, keep the rest
      continue;
    }
    at += static_cast<std::size_t>(sent);
    sent_total += static_cast<std::size_t>(sent);
  }
  return sent_total;
}

}  // namespace vpnlab::dataplane
