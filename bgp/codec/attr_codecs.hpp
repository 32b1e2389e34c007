#pragma once
// Per-attribute decoders and encoders (internal to bgp/codec; the table in attributes.cpp
// is the public entry). Each decoder is a list of checks, each naming its RFC 7606 rule.

#include "bgp/codec/attributes.hpp"

namespace vpnlab::bgp::attr {

std::optional<DecodeError> decode_origin(const AttrInput&, AttrDecodeState&);
std::optional<DecodeError> decode_as_path(const AttrInput&, AttrDecodeState&);
std::optional<DecodeError> decode_next_hop(const AttrInput&, AttrDecodeState&);
std::optional<DecodeError> decode_med(const AttrInput&, AttrDecodeState&);
std::optional<DecodeError> decode_local_pref(const AttrInput&, AttrDecodeState&);
std::optional<DecodeError> decode_atomic_aggregate(const AttrInput&, AttrDecodeState&);
std::optional<DecodeError> decode_aggregator(const AttrInput&, AttrDecodeState&);
std::optional<DecodeError> decode_communities(const AttrInput&, AttrDecodeState&);
std::optional<DecodeError> decode_mp_reach(const AttrInput&, AttrDecodeState&);
std::optional<DecodeError> decode_mp_unreach(const AttrInput&, AttrDecodeState&);
std::optional<DecodeError> decode_as4_path(const AttrInput&, AttrDecodeState&);
std::optional<DecodeError> decode_as4_aggregator(const AttrInput&, AttrDecodeState&);

void encode_origin(const PathAttributes&, const CodecOptions&, ByteWriter&);
void encode_as_path(const PathAttributes&, const CodecOptions&, ByteWriter&);
void encode_next_hop(const PathAttributes&, const CodecOptions&, ByteWriter&);
void encode_med(const PathAttributes&, const CodecOptions&, ByteWriter&);
void encode_local_pref(const PathAttributes&, const CodecOptions&, ByteWriter&);
void encode_atomic_aggregate(const PathAttributes&, const CodecOptions&, ByteWriter&);
void encode_aggregator(const PathAttributes&, const CodecOptions&, ByteWriter&);
void encode_communities(const PathAttributes&, const CodecOptions&, ByteWriter&);
void encode_mp_reach(const PathAttributes&, const CodecOptions&, ByteWriter&);
void encode_mp_unreach(const PathAttributes&, const CodecOptions&, ByteWriter&);
void encode_as4_path(const PathAttributes&, const CodecOptions&, ByteWriter&);
void encode_as4_aggregator(const PathAttributes&, const CodecOptions&, ByteWriter&);

}  // namespace vpnlab::bgp::attr
