// Lab rule: a tunnel that would not come back by itself after a failure (recovery.hpp) is a
// warning before `up`, at the AWS tunnel's dpd_timeout_action, naming the reason and the fix.
// Run only on a lab without errors: the analysis works on the compiled plan.

#include "topology/recovery.hpp"
#include "topology/validate.hpp"
#include "topology/validate_util.hpp"

namespace vpnlab::topology {

void validate_recovery(const Lab& lab, Diagnostics& d) {
  if (lab.lab.keying != "ike") return;
  for (const auto& r : analyze_recovery(compile(lab))) {
    if (r.always_comes_back()) continue;
    for (std::size_t c = 0; c < lab.aws.vpn_connections.size(); ++c) {
      const auto& vpn = lab.aws.vpn_connections[c];
      for (std::size_t t = 0; t < vpn.tunnels.size(); ++t) {
        if (vpn.name + ".tunnel" + std::to_string(t + 1) != r.aws_tunnel) continue;
        d.warning(lab, idx("aws.vpn_connections", c) + idx(".tunnels", t) + ".dpd_timeout_action",
                  r.aws_tunnel + " (" + r.device + ") will not come back by itself: " + r.reason +
                      "; " + r.fix);
      }
    }
  }
}

}  // namespace vpnlab::topology
