#include "dataplane/linux/esp_socket_filter.hpp"

#include "dataplane/linux/esp_frame.hpp"

namespace vpnlab::dataplane {
namespace {

sock_filter stmt(std::uint16_t code, std::uint32_t k) {
  return sock_filter{code, 0, 0, k};
}

// A conditional jump that continues on match and skips to the final "drop" otherwise;
// `at` is the instruction's index and `drop` the index of the drop instruction.
sock_filter jump_unless(std::uint16_t code, std::uint32_t k, std::size_t at, std::size_t drop) {
  return sock_filter{code, 0, static_cast<std::uint8_t>(drop - at - 1), k};
}

}  // namespace

std::vector<sock_filter> esp_socket_filter(Ipv4Address local) {
  // Offsets into the IPv4 header (RFC 791 §3.1): 0 version/IHL, 6 flags/fragment offset,
  // 9 protocol, 16 destination address. BPF loads are in network byte order.
  constexpr std::size_t kDrop = 10;
  std::vector<sock_filter> p;
  p.push_back(stmt(BPF_LD | BPF_B | BPF_ABS, 0));                              // 0 A = version/IHL
  p.push_back(stmt(BPF_ALU | BPF_AND | BPF_K, 0xf0));                          // 1 A &= 0xf0
  p.push_back(jump_unless(BPF_JMP | BPF_JEQ | BPF_K, 0x40, 2, kDrop));         // 2 IPv4?
  p.push_back(stmt(BPF_LD | BPF_B | BPF_ABS, 9));                              // 3 A = protocol
  p.push_back(jump_unless(BPF_JMP | BPF_JEQ | BPF_K, kIpProtoEsp, 4, kDrop));  // 4 ESP?
  p.push_back(stmt(BPF_LD | BPF_H | BPF_ABS, 6));                              // 5 A = flags/offset
  // 6: MF or an offset set: a fragment -> drop (jt), else go on (jf).
  p.push_back(
      sock_filter{BPF_JMP | BPF_JSET | BPF_K, static_cast<std::uint8_t>(kDrop - 7), 0, 0x3fff});
  p.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, 16));                             // 7 A = destination
  p.push_back(jump_unless(BPF_JMP | BPF_JEQ | BPF_K, local.value, 8, kDrop));  // 8 ours?
  p.push_back(stmt(BPF_RET | BPF_K, 0x40000));  // 9 accept (whole frame)
  p.push_back(stmt(BPF_RET | BPF_K, 0));        // 10 drop
  return p;
}

std::vector<sock_filter> drop_all_filter() {
  return {stmt(BPF_RET | BPF_K, 0)};
}

}  // namespace vpnlab::dataplane
