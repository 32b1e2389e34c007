#include "ike/codec/payload_id.hpp"

namespace vpnlab::ike {

IdPayload IdPayload::ipv4(Ipv4Address a) {
  IdPayload id;
  id.type = IdType::ipv4_addr;
  Bytes b;
  ByteWriter(b).u32(a.value);
  id.data = b;
  return id;
}

IdPayload IdPayload::fqdn(std::string_view name) {
  IdPayload id;
  id.type = IdType::fqdn;
  id.data.assign(name.begin(), name.end());
  return id;
}

std::optional<Ipv4Address> IdPayload::as_ipv4() const {
  if (type != IdType::ipv4_addr || data.size() != 4) return std::nullopt;
  return Ipv4Address{load_be32(data.data())};
}

std::string IdPayload::to_string() const {
  if (auto a = as_ipv4()) return a->to_string();
  if (type == IdType::fqdn) return std::string(data.begin(), data.end());
  return "type " + std::to_string(static_cast<int>(type)) + " (" + std::to_string(data.size()) +
         " bytes)";
}

Result<IdPayload, ParseError> decode_id(ByteReader& body) {
  std::size_t at = body.offset();
  auto type = body.u8();
  if (!type || !body.skip(3)) return Unexpected{truncated_error("ID Type", at)};
  IdPayload id;
  id.type = static_cast<IdType>(*type);
  id.data.assign(body.rest().begin(), body.rest().end());
  // RFC 7296 3.5: ID_IPV4_ADDR is a single four-octet address.
  if (id.type == IdType::ipv4_addr && id.data.size() != 4) {
    return Unexpected{
        syntax_error("ID Identification Data", at + 4, "ID_IPV4_ADDR is not 4 octets")};
  }
  if (id.data.empty()) return Unexpected{syntax_error("ID Identification Data", at + 4, "empty")};
  return id;
}

void encode_id(const IdPayload& id, ByteWriter& w) {
  w.u8(static_cast<std::uint8_t>(id.type));
  w.u8(0);
  w.u16(0);
  w.bytes(id.data);
}

}  // namespace vpnlab::ike
