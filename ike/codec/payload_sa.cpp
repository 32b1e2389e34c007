#include "ike/codec/payload_sa.hpp"

namespace vpnlab::ike {
namespace {

constexpr std::uint8_t kMoreProposals = 2;   // 3.3.1 Last Substruc
constexpr std::uint8_t kMoreTransforms = 3;  // 3.3.2 Last Substruc

Result<void, ParseError> decode_attributes(ByteReader& r, Transform& t) {
  while (!r.empty()) {
    std::size_t at = r.offset();
    auto type = r.u16();
    auto len_or_value = r.u16();
    if (!type || !len_or_value) return Unexpected{truncated_error("SA attribute", at)};
    bool tv = *type & 0x8000;  // 3.3.5: AF=1 means a 2-byte value in place of the length
    std::uint16_t attr = *type & 0x7fff;
    if (!tv) {
      if (!r.skip(*len_or_value)) return Unexpected{truncated_error("SA attribute value", at)};
      t.has_unknown_attribute = true;
      continue;
    }
    if (attr == Transform::kAttrKeyLength) {
      t.key_length = *len_or_value;
    } else {
      t.has_unknown_attribute = true;
    }
  }
  return {};
}

Result<Transform, ParseError> decode_transform(ByteReader& r, bool& last) {
  std::size_t at = r.offset();
  auto more = r.u8();
  auto reserved = r.u8();
  auto length = r.u16();
  if (!more || !reserved || !length) return Unexpected{truncated_error("Transform header", at)};
  if (*more != 0 && *more != kMoreTransforms) {
    return Unexpected{syntax_error("Transform Last Substruc", at, "must be 0 or 3")};
  }
  if (*length < 8) return Unexpected{syntax_error("Transform Length", at + 2, "below 8")};
  auto body = r.sub(*length - 4);
  if (!body) return Unexpected{truncated_error("Transform Length", at + 2)};
  Transform t;
  t.type = static_cast<TransformType>(*body->u8());
  body->u8();
  t.id = *body->u16();
  if (auto a = decode_attributes(*body, t); !a) return Unexpected{a.error()};
  last = *more == 0;
  return t;
}

Result<Proposal, ParseError> decode_proposal(ByteReader& r, bool& last) {
  std::size_t at = r.offset();
  auto more = r.u8();
  auto reserved = r.u8();
  auto length = r.u16();
  if (!more || !reserved || !length) return Unexpected{truncated_error("Proposal header", at)};
  if (*more != 0 && *more != kMoreProposals) {
    return Unexpected{syntax_error("Proposal Last Substruc", at, "must be 0 or 2")};
  }
  if (*length < 8) return Unexpected{syntax_error("Proposal Length", at + 2, "below 8")};
  auto body = r.sub(*length - 4);
  if (!body) return Unexpected{truncated_error("Proposal Length", at + 2)};
  Proposal p;
  p.number = *body->u8();
  p.protocol = static_cast<ProtocolId>(*body->u8());
  std::uint8_t spi_size = *body->u8();
  std::uint8_t count = *body->u8();
  auto spi = body->bytes(spi_size);
  if (!spi) return Unexpected{truncated_error("Proposal SPI", at + 8)};
  p.spi.assign(spi->begin(), spi->end());
  bool last_transform = count == 0;
  for (std::uint8_t i = 0; i < count; ++i) {
    if (last_transform) {
      return Unexpected{syntax_error("Proposal Num Transforms", at + 7, "more than transforms")};
    }
    auto t = decode_transform(*body, last_transform);
    if (!t) return Unexpected{t.error()};
    p.transforms.push_back(*t);
  }
  if (!last_transform || !body->empty()) {
    return Unexpected{
        syntax_error("Proposal Num Transforms", at + 7, "disagrees with Proposal Length")};
  }
  last = *more == 0;
  return p;
}

}  // namespace

Result<SaPayload, ParseError> decode_sa(ByteReader& body) {
  SaPayload sa;
  bool last = false;
  std::size_t first_at = 0;  // offset of the first Proposal Num
  while (!last) {
    if (body.empty()) return Unexpected{syntax_error("SA", body.offset(), "no last proposal")};
    std::size_t at = body.offset();
    auto p = decode_proposal(body, last);
    if (!p) return Unexpected{p.error()};
    // RFC 7296 3.3.1: an initiator numbers its proposals 1, 2, ... (each the same as or one
    // more than the one before); a responder answers with ONE proposal carrying the number
    // of the one it accepted, which may be any. So: a lone proposal may have any number but
    // 0; in a list, the first is 1 and each next one the same or +1.
    if (p->number == 0) return Unexpected{syntax_error("Proposal Num", at + 4, "zero")};
    std::uint8_t expect = sa.proposals.empty() ? p->number : sa.proposals.back().number;
    if (sa.proposals.size() == 1 && sa.proposals[0].number != 1) {
      return Unexpected{syntax_error("Proposal Num", first_at, "first of several is not 1")};
    }
    if (p->number != expect && p->number != expect + 1) {
      return Unexpected{syntax_error("Proposal Num", at + 4, "not sequential")};
    }
    if (sa.proposals.empty()) first_at = at + 4;
    sa.proposals.push_back(std::move(*p));
  }
  if (!body.empty())
    return Unexpected{syntax_error("SA", body.offset(), "data after last proposal")};
  return sa;
}

void encode_sa(const SaPayload& sa, ByteWriter& w) {
  for (std::size_t i = 0; i < sa.proposals.size(); ++i) {
    const Proposal& p = sa.proposals[i];
    std::size_t start = w.size();
    w.u8(i + 1 == sa.proposals.size() ? 0 : kMoreProposals);
    w.u8(0);
    w.u16(0);
    w.u8(p.number);
    w.u8(static_cast<std::uint8_t>(p.protocol));
    w.u8(static_cast<std::uint8_t>(p.spi.size()));
    w.u8(static_cast<std::uint8_t>(p.transforms.size()));
    w.bytes(p.spi);
    for (std::size_t j = 0; j < p.transforms.size(); ++j) {
      const Transform& t = p.transforms[j];
      w.u8(j + 1 == p.transforms.size() ? 0 : kMoreTransforms);
      w.u8(0);
      w.u16(t.key_length ? 12 : 8);
      w.u8(static_cast<std::uint8_t>(t.type));
      w.u8(0);
      w.u16(t.id);
      if (t.key_length) {
        w.u16(0x8000 | Transform::kAttrKeyLength);
        w.u16(*t.key_length);
      }
    }
    w.patch_u16(start + 2, static_cast<std::uint16_t>(w.size() - start));
  }
}

}  // namespace vpnlab::ike
