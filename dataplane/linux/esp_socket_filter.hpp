#pragma once
// The classic BPF program (filter.txt in the kernel's networking docs) an AF_PACKET ESP
// socket (packet_socket.hpp) attaches, so the kernel hands it only what it should decrypt:
// IPv4, protocol 50 (RFC 4303), not a fragment, addressed to the socket's local address.
// The socket is SOCK_DGRAM, so the program sees the frame from its IPv4 header on (offset 0)
// whatever the link layer. Fragments never reach it in practice: the socket's fanout group
// reassembles them first (PACKET_FANOUT_FLAG_DEFRAG); the check is defensive.
//
// Pure: builds the instructions; tests run them through the kernel's interpreter on a Unix
// datagram socket (tests/unit/dataplane/esp_socket_filter_test.cpp).

#include <linux/filter.h>

#include <vector>

#include "base/ip.hpp"

namespace vpnlab::dataplane {

/// The program accepting whole ESP-over-IPv4 packets to `local` (returns the whole frame),
/// and dropping everything else (returns 0).
std::vector<sock_filter> esp_socket_filter(Ipv4Address local);

/// A program that drops everything: for a raw ESP socket kept only to send (raw(7): every
/// raw socket of the protocol gets a copy of every packet).
std::vector<sock_filter> drop_all_filter();

}  // namespace vpnlab::dataplane
