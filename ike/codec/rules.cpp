#include "ike/codec/rules.hpp"

#include <algorithm>
#include <map>

#include "ike/codec/message.hpp"

namespace vpnlab::ike {
namespace {

ParseError rule_error(const Message& m, std::string what) {
  ParseError e = syntax_error(std::string(to_string(m.header.exchange)) +
                                  (m.header.is_response() ? " response" : " request"),
                              Header::kSize, what);
  e.code = errc::rule_violation;
  return e;
}

}  // namespace

Result<void, ParseError> check_rules(const Message& m) {
  auto ex = std::find_if(kExchangeRules.begin(), kExchangeRules.end(),
                         [&](const ExchangeRule& r) { return r.exchange == m.header.exchange; });
  if (ex == kExchangeRules.end()) {
    return Unexpected{rule_error(
        m, "unknown exchange type " + std::to_string(static_cast<int>(m.header.exchange)))};
  }
  if (ex->encrypted != m.encrypted) {
    return Unexpected{
        rule_error(m, ex->encrypted ? "payloads must be inside SK{}" : "must not be encrypted")};
  }
  std::map<PayloadType, int> counts;
  for (const Payload& p : m.payloads) counts[p.type]++;
  for (const auto& entry : counts) {
    PayloadType type = entry.first;
    int count = entry.second;
    if (!is_known_payload(type)) continue;
    auto rule = std::find_if(kPayloadRules.begin(), kPayloadRules.end(), [&](const PayloadRule& r) {
      return r.exchange == m.header.exchange && r.response == m.header.is_response() &&
             r.type == type;
    });
    if (rule == kPayloadRules.end() || count > rule->max) {
      return Unexpected{rule_error(m, std::string("too many ") + std::string(to_string(type)) +
                                          " payloads (" + std::to_string(count) + ")")};
    }
  }
  for (const PayloadRule& r : kPayloadRules) {
    if (r.exchange != m.header.exchange || r.response != m.header.is_response()) continue;
    if (counts[r.type] < r.min) {
      return Unexpected{
          rule_error(m, std::string("missing ") + std::string(to_string(r.type)) + " payload")};
    }
  }
  return {};
}

}  // namespace vpnlab::ike
