#include "dataplane/core/mss_clamp.hpp"

#include "base/bytes.hpp"

namespace vpnlab::dataplane {

namespace {
constexpr std::uint8_t kProtoTcp = 6;
constexpr std::uint8_t kTcpFlagSyn = 0x02;
constexpr std::uint8_t kOptEnd = 0, kOptNop = 1, kOptMss = 2;
}  // namespace

std::uint16_t checksum_adjust(std::uint16_t checksum, std::uint16_t old_word,
                              std::uint16_t new_word) {
  // RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), in one's complement arithmetic.
  std::uint32_t sum = static_cast<std::uint16_t>(~checksum);
  sum += static_cast<std::uint16_t>(~old_word);
  sum += new_word;
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

bool clamp_tcp_mss(std::span<std::uint8_t> pkt, std::uint16_t max_mss) {
  // RFC 791 §3.1: version, IHL, protocol, fragment offset.
  if (pkt.size() < 20 || (pkt[0] >> 4) != 4) return false;
  std::size_t ihl = std::size_t{pkt[0] & 0x0fu} * 4;
  if (ihl < 20 || pkt[9] != kProtoTcp) return false;
  if ((load_be16(&pkt[6]) & 0x1fff) != 0) return false;  // not the first fragment
  std::size_t total = load_be16(&pkt[2]);
  if (total > pkt.size() || total < ihl + 20) return false;
  std::span<std::uint8_t> tcp = pkt.subspan(ihl, total - ihl);
  // RFC 9293 §3.1: data offset, flags; the MSS option only appears in SYNs (§3.7.1).
  if ((tcp[13] & kTcpFlagSyn) == 0) return false;
  std::size_t doff = static_cast<std::size_t>(tcp[12] >> 4) * 4;
  if (doff < 20 || doff > tcp.size()) return false;
  std::size_t i = 20;
  while (i < doff) {
    std::uint8_t kind = tcp[i];
    if (kind == kOptEnd) return false;
    if (kind == kOptNop) {
      ++i;
      continue;
    }
    if (i + 1 >= doff || tcp[i + 1] < 2 || i + tcp[i + 1] > doff) return false;
    if (kind == kOptMss && tcp[i + 1] == 4) {
      std::uint16_t mss = load_be16(&tcp[i + 2]);
      if (mss <= max_mss) return false;
      // The option is at an even offset from the TCP header only if i is even; the checksum
      // covers 16-bit words, so adjust the word(s) that hold the two MSS bytes.
      if ((i % 2) == 0) {
        std::uint16_t csum = load_be16(&tcp[16]);
        store_be16(&tcp[i + 2], max_mss);
        store_be16(&tcp[16], checksum_adjust(csum, mss, max_mss));
      } else {
        std::uint16_t w1 = load_be16(&tcp[i + 1]), w2 = load_be16(&tcp[i + 3]);
        store_be16(&tcp[i + 2], max_mss);
        std::uint16_t csum = load_be16(&tcp[16]);
        csum = checksum_adjust(csum, w1, load_be16(&tcp[i + 1]));
        csum = checksum_adjust(csum, w2, load_be16(&tcp[i + 3]));
        store_be16(&tcp[16], csum);
      }
      return true;
    }
    i += tcp[i + 1];
  }
  return false;
}

}  // namespace vpnlab::dataplane
