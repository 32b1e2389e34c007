#include "esp/drop_reason.hpp"

namespace vpnlab::esp {

std::string_view to_string(DropReason reason) {
  switch (reason) {
    case DropReason::too_short:
      return "too_short";
    case DropReason::unknown_spi:
      return "unknown_spi";
    case DropReason::spi_mismatch:
      return "spi_mismatch";
    case DropReason::replay:
      return "replay";
    case DropReason::auth_failed:
      return "auth_failed";
    case DropReason::bad_length:
      return "bad_length";
    case DropReason::bad_padding:
      return "bad_padding";
    case DropReason::bad_next_header:
      return "bad_next_header";
    case DropReason::bad_inner_packet:
      return "bad_inner_packet";
    case DropReason::dummy_packet:
      return "dummy_packet";
    case DropReason::no_room:
      return "no_room";
    case DropReason::seq_exhausted:
      return "seq_exhausted";
    case DropReason::lifetime_expired:
      return "lifetime_expired";
    case DropReason::crypto_error:
      return "crypto_error";
  }
  return "unknown";
}

static_assert(static_cast<std::size_t>(DropReason::crypto_error) + 1 == kDropReasonCount);

}  // namespace vpnlab::esp
