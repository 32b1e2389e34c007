#pragma once
// Vendor ID payload (RFC 7296 3.12): opaque data, recognised or ignored.

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "ike/codec/errors.hpp"

namespace vpnlab::ike {

struct VendorIdPayload {
  Bytes data;
  bool operator==(const VendorIdPayload&) const = default;
};

Result<VendorIdPayload, ParseError> decode_vendor_id(ByteReader& body);
void encode_vendor_id(const VendorIdPayload& v, ByteWriter& w);

}  // namespace vpnlab::ike
