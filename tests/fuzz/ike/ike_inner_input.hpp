#pragma once
// The input format of the ike_inner fuzz target (and of its seed generator): what an IKE_SA
// hands to the payload decoder once SK{} has been opened (RFC 7296 3.14), plus the header
// fields the message rules depend on.
//
//   octet 0   exchange type (34 IKE_SA_INIT .. 37 INFORMATIONAL, 43 IKE_INTERMEDIATE, ...)
//   octet 1   header flags (0x08 Initiator, 0x20 Response)
//   octet 2   Next Payload field of the SK payload: the first inner payload's type
//   octet 3.. the decrypted payload chain (generic headers + bodies, no padding)

#include <cstddef>

namespace vpnlab::ike::fuzz {

inline constexpr std::size_t kInnerPrefix = 3;

}  // namespace vpnlab::ike::fuzz
