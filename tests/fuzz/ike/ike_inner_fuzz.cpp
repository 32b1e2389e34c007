// libFuzzer target for what an IKE_SA parses after SK{} is opened (RFC 7296 3.14): the inner
// payload chain, the nested-SK refusal, the exchange's payload rules (rules.hpp), and the
// proposal choice a responder runs on a decrypted SA payload (CREATE_CHILD_SA, IKE_AUTH's
// SAi2) against both clouds' suites. ike_message_fuzz reaches this chain only through a
// valid toy-cipher ICV; here every input is a plaintext chain. Whatever decodes must encode
// and decode to the same payloads (round trip).
#include <cstdint>
#include <cstdlib>

#include "ike/codec/message.hpp"
#include "ike/codec/rules.hpp"
#include "ike/core/cloud_profiles.hpp"
#include "ike/core/proposal.hpp"
#include "tests/fuzz/ike/ike_inner_input.hpp"

using namespace vpnlab;
using namespace vpnlab::ike;

namespace {

void choose_for(const SaPayload& sa, const PeerConfig& cfg) {
  (void)choose_child(sa, cfg.child_proposals);
  (void)choose_ike(sa, cfg.ike_proposals, 8);
  (void)accept_child(sa, cfg.child_proposals, sa.proposals);
}

// A transform attribute the decoder does not know is only flagged (RFC 7296 3.3.6: such a
// transform must not be chosen), not kept, so the encoder cannot write it back: the round
// trip compares what remains.
std::vector<Payload> without_unknown_attributes(std::vector<Payload> payloads) {
  for (Payload& p : payloads) {
    auto* sa = std::get_if<SaPayload>(&p.body);
    if (!sa) continue;
    for (Proposal& prop : sa->proposals) {
      for (Transform& t : prop.transforms) t.has_unknown_attribute = false;
    }
  }
  return payloads;
}

// IPv6 selectors are skipped on decode (vpnlab carries IPv4 only); a TS payload holding no
// other selector decodes to none, which no encoder may send (3.13: at least one).
bool every_ts_kept(const std::vector<Payload>& payloads) {
  for (const Payload& p : payloads) {
    auto* ts = std::get_if<TsPayload>(&p.body);
    if (ts && ts->selectors.empty()) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < fuzz::kInnerPrefix) return 0;
  static const PeerConfig aws = aws_tunnel_defaults();
  static const PeerConfig azure = azure_defaults();
  Message m;
  m.header.exchange = static_cast<ExchangeType>(data[0]);
  m.header.flags = data[1];
  m.encrypted = true;
  ByteSpan plain(data + fuzz::kInnerPrefix, size - fuzz::kInnerPrefix);
  // Offsets in errors count from the SK body, as decode_message reports them.
  ByteReader r(plain, Header::kSize + 4);
  auto chain = decode_payloads(r, static_cast<PayloadType>(data[2]));
  if (!chain) {
    (void)chain.error().message;
    return 0;
  }
  if (chain->encrypted) return 0;  // nested SK: decode_message refuses it (3.14)
  m.payloads = std::move(chain->payloads);
  if (!check_rules(m)) return 0;
  if (const auto* sa = m.get<SaPayload>(PayloadType::sa)) {
    choose_for(*sa, aws);
    choose_for(*sa, azure);
  }
  if (!every_ts_kept(m.payloads)) return 0;
  Bytes again;
  ByteWriter w(again);
  encode_payloads(m.payloads, w);
  ByteReader r2(again, 0);
  auto back = decode_payloads(r2, m.payloads.empty() ? PayloadType::none : m.payloads[0].type);
  if (!back || back->payloads != without_unknown_attributes(m.payloads)) std::abort();
  return 0;
}
