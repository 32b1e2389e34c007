#include "bgp/codec/attr_as_path.hpp"

#include <algorithm>

namespace vpnlab::bgp {

std::size_t AsPath::length() const {
  std::size_t n = 0;
  for (const auto& s : segments) {
    if (s.type == SegmentType::as_sequence) n += s.asns.size();
    if (s.type == SegmentType::as_set) n += 1;
  }
  return n;
}

std::optional<Asn> AsPath::first() const {
  for (const auto& s : segments) {
    if (s.type == SegmentType::as_sequence && !s.asns.empty()) return s.asns.front();
    if (s.type == SegmentType::as_set) return std::nullopt;
  }
  return std::nullopt;
}

bool AsPath::contains(Asn asn) const {
  for (const auto& s : segments)
    if (std::find(s.asns.begin(), s.asns.end(), asn) != s.asns.end()) return true;
  return false;
}

bool AsPath::needs_four_octets() const {
  for (const auto& s : segments)
    for (auto a : s.asns)
      if (!a.fits_two_octets()) return true;
  return false;
}

void AsPath::prepend(Asn asn, std::size_t count) {
  if (count == 0) return;
  // RFC 4271 §5.1.2: prepend to an existing leading AS_SEQUENCE unless it is full (255).
  if (segments.empty() || segments.front().type != SegmentType::as_sequence ||
      segments.front().asns.size() + count > 255)
    segments.insert(segments.begin(), AsSegment{SegmentType::as_sequence, {}});
  auto& asns = segments.front().asns;
  asns.insert(asns.begin(), count, asn);
}

std::string AsPath::to_string() const {
  std::string out;
  for (const auto& s : segments) {
    bool set = s.type == SegmentType::as_set || s.type == SegmentType::as_confed_set;
    if (!out.empty()) out += ' ';
    if (set) out += '{';
    for (std::size_t i = 0; i < s.asns.size(); ++i) {
      if (i) out += set ? "," : " ";
      out += std::to_string(s.asns[i].value);
    }
    if (set) out += '}';
  }
  return out;
}

std::optional<std::string> decode_as_path(ByteReader r, bool four_octet, AsPath& out,
                                          std::size_t& error_offset) {
  const std::size_t width = four_octet ? 4 : 2;
  while (!r.empty()) {
    error_offset = r.offset();
    auto type = r.u8();
    auto count = r.u8();
    // RFC 7606 §7.2: a segment with only one octet left, or an unknown type, or a zero
    // segment length makes the AS_PATH malformed.
    if (!type || !count) return "segment header truncated";
    if (*type < 1 || *type > 4) return "unknown segment type " + std::to_string(*type);
    if (*count == 0) return "segment length 0";
    if (r.remaining() < *count * width)
      return "segment of " + std::to_string(*count) + " ASNs needs " +
             std::to_string(*count * width) + " octets, " + std::to_string(r.remaining()) + " left";
    AsSegment seg{static_cast<SegmentType>(*type), {}};
    for (std::size_t i = 0; i < *count; ++i)
      seg.asns.push_back(Asn{four_octet ? *r.u32() : std::uint32_t{*r.u16()}});
    out.segments.push_back(std::move(seg));
  }
  return std::nullopt;
}

void encode_as_path(ByteWriter& w, const AsPath& path, bool four_octet) {
  for (const auto& s : path.segments) {
    w.u8(static_cast<std::uint8_t>(s.type));
    w.u8(static_cast<std::uint8_t>(s.asns.size()));
    for (auto a : s.asns) {
      if (four_octet)
        w.u32(a.value);
      else
        w.u16(static_cast<std::uint16_t>(a.fits_two_octets() ? a.value : kAsTrans.value));
    }
  }
}

AsPath merge_as4_path(const AsPath& as_path, const AsPath& as4_path) {
  // RFC 6793 §4.2.3: if AS_PATH has fewer ASes than AS4_PATH, AS4_PATH is ignored.
  std::size_t n2 = as_path.length(), n4 = as4_path.length();
  if (n2 < n4) return as_path;
  // Keep the leading (n2 - n4) ASes of AS_PATH, then append AS4_PATH.
  std::size_t keep = n2 - n4;
  AsPath out;
  for (const auto& s : as_path.segments) {
    if (keep == 0) break;
    if (s.type == SegmentType::as_sequence) {
      std::size_t take = std::min(keep, s.asns.size());
      out.segments.push_back(
          AsSegment{s.type, std::vector<Asn>(s.asns.begin(), s.asns.begin() + take)});
      keep -= take;
    } else if (s.type == SegmentType::as_set) {
      out.segments.push_back(s);
      keep -= 1;
    } else {
      out.segments.push_back(s);  // confederation segments count 0
    }
  }
  for (const auto& s : as4_path.segments) {
    if (!out.segments.empty() && s.type == SegmentType::as_sequence &&
        out.segments.back().type == SegmentType::as_sequence &&
        out.segments.back().asns.size() + s.asns.size() <= 255) {
      auto& dst = out.segments.back().asns;
      dst.insert(dst.end(), s.asns.begin(), s.asns.end());
    } else {
      out.segments.push_back(s);
    }
  }
  return out;
}

}  // namespace vpnlab::bgp
