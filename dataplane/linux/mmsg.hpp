#pragma once
// The recvmmsg/sendmmsg plumbing both outer-transport sockets share (datagram_socket.hpp,
// packet_socket.hpp): one mmsghdr + iovec per packet buffer, set up in arrays the socket
// allocated once, so a batch costs one system call and no allocation.

#include <sys/socket.h>
#include <sys/uio.h>

#include <cstddef>
#include <vector>

#include "dataplane/core/packet_pool.hpp"

namespace vpnlab::dataplane {

/// Takes up to `want` buffers from `pool` into `bufs` (cleared first) and points message i
/// at buffer i's writable room, with names[i] (namelen bytes) as its address when `names`
/// is given. Returns how many messages are ready (fewer when the pool runs dry).
std::size_t prepare_receive(PacketPool& pool, std::size_t want, std::vector<PooledPacket>& bufs,
                            mmsghdr* msgs, iovec* iov, void* names, socklen_t namelen);

/// recvmmsg() into the prepared messages without waiting; returns how many arrived (0:
/// none, and the buffers go back to the pool).
std::size_t receive_messages(int fd, mmsghdr* msgs, std::vector<PooledPacket>& bufs);

/// Points one message at `len` bytes at `data`, addressed to `name`.
void prepare_send(mmsghdr& msg, iovec& iov, void* data, std::size_t len, void* name,
                  socklen_t namelen);

/// sendmmsg() of `count` prepared messages until each is sent or failed. A full send buffer
/// waits briefly for room (wait_socket_writable: TCP inside the tunnel would take a drop for
/// congestion); a message that fails otherwise (no route, device down) is skipped and the
/// rest still go. Returns how many were sent.
std::size_t send_messages(int fd, mmsghdr* msgs, std::size_t count);

}  // namespace vpnlab::dataplane
