#include "ike/codec/payload_vendor.hpp"

namespace vpnlab::ike {

Result<VendorIdPayload, ParseError> decode_vendor_id(ByteReader& body) {
  if (body.empty()) return Unexpected{syntax_error("Vendor ID", body.offset(), "empty")};
  VendorIdPayload v;
  v.data.assign(body.rest().begin(), body.rest().end());
  return v;
}

void encode_vendor_id(const VendorIdPayload& v, ByteWriter& w) {
  w.bytes(v.data);
}

}  // namespace vpnlab::ike
