#pragma once
// A small line-based speaker config (for the runner and tests; the lab file's YAML is the
// topology module's business):
//
//   asn 65515
//   router-id 169.254.21.2
//   personality azure            # aws | azure | generic: per-peer defaults (cloud.hpp)
//   port 179
//   multipath on
//   network 10.1.0.0/16          # announced (repeatable)
//   peer 169.254.21.1 asn 65000 local 169.254.21.2 [device vti0] [bind-device vti0]
//        [hold 30] [keepalive 10] [connect-retry 5] [idle-hold 5] [passive on|off]
//        [max-prefix 100] [med 50] [prepend 2] [restart-families on|off]
//
// '#' starts a comment. Errors name the line and the word.

#include <string>

#include "base/result.hpp"
#include "bgp/speaker/speaker.hpp"

namespace vpnlab::bgp {

Checked<SpeakerConfig> parse_speaker_config(const std::string& text);
Checked<SpeakerConfig> load_speaker_config(const std::string& path);

}  // namespace vpnlab::bgp
