#pragma once
// A tunnel's internet path impaired: random loss, a dead path, delay with jitter, a rate
// limit, applied where the lab's internet router forwards that tunnel's outside address pair
// (IKE and ESP alike) and nowhere else, so the other tunnels of the same gateways keep a
// clean path.
//
//   loss, down   nftables in the router's namespace: a forward-hook rule on the pair,
//                `numgen random mod 10000 < N drop` (loss) or plain `drop` (down)
//   rate, delay  iproute2's tc on the router's egress ports toward each end: an HTB class
//                for the pair (u32 filter on source and destination), rate = --rate, with
//                a netem leaf for delay and jitter
//
// Why nftables for loss: kernels built without sch_netem (this project's CI VM has neither
// netem nor prio) still drop; delay needs netem and fails with a message naming it.
// The command builders are pure (unit-tested); apply/remove run `tc -n NS` and
// `ip netns exec NS nft`.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/ip.hpp"
#include "base/result.hpp"

namespace vpnlab::topology::drills {

struct Impairment {
  double loss_percent = 0;  // per packet, each direction
  std::chrono::milliseconds delay{0}, jitter{0};
  std::uint64_t rate_kbit = 0;  // 0: no limit
  bool down = false;            // every packet dropped
  bool empty() const { return loss_percent == 0 && delay.count() == 0 && rate_kbit == 0 && !down; }
  bool needs_tc() const { return delay.count() > 0 || rate_kbit > 0; }
  /// "loss 5%, delay 150 ms +- 20 ms, rate 100 Mbit/s" or "down (every packet dropped)".
  std::string describe() const;
};

/// The command-line spelling: loss "5%" (0-100), delay/jitter "150ms" or "0.2s", rate
/// "100mbit" (kbit|mbit|gbit). Empty strings are "not set". Errors name the option.
Checked<Impairment> parse_impairment(const std::string& loss, const std::string& delay,
                                     const std::string& jitter, const std::string& rate, bool down);

/// Where one tunnel crosses the internet router: its namespace, the egress port toward each
/// end, and the tunnel's two outside addresses.
struct TunnelPath {
  std::string tunnel;  // device name (aws0t1): names the nft table and the tc class
  std::string router_netns;
  std::string port_toward_azure, port_toward_aws;
  Ipv4Address azure_outside, aws_outside;
  int class_minor = 10;  // HTB class 1:<minor> for this tunnel
};

/// Arguments of `tc` (after "tc -n <router_netns>") that install the tc part, in order.
std::vector<std::vector<std::string>> tc_install_args(const TunnelPath& p, const Impairment& i);
/// Arguments of `tc` that remove it (root qdiscs of both ports).
std::vector<std::vector<std::string>> tc_remove_args(const TunnelPath& p);
/// Arguments of `nft` (inside the router's namespace) that install the loss/down rule.
std::vector<std::vector<std::string>> nft_install_args(const TunnelPath& p, const Impairment& i);
std::vector<std::vector<std::string>> nft_remove_args(const TunnelPath& p);

/// Applies the impairment (on failure, whatever was applied is removed again).
Checked<void> apply_impairment(const TunnelPath& p, const Impairment& i);
/// Removes it; parts that are not there are not an error.
Checked<void> remove_impairment(const TunnelPath& p, const Impairment& i);

}  // namespace vpnlab::topology::drills
