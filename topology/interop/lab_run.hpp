#pragma once
// One interop case's lab, driven through the vpnlab binary as a user drives it (up, status
// --json, tunnel drills, validate, down) and read back from the merged console document.
// The destructor takes the lab down (unless kept), so every exit path cleans up.

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "base/ip.hpp"
#include "base/result.hpp"
#include "topology/interop/process.hpp"

namespace vpnlab::topology::interop {

class LabRun {
 public:
  LabRun(std::string exe, std::string file, std::string name, bool keep);
  ~LabRun();
  LabRun(const LabRun&) = delete;
  LabRun& operator=(const LabRun&) = delete;

  ProcessResult up(double wait_seconds);
  ProcessResult validate();
  ProcessResult tunnel(const std::string& action, const std::string& device);
  /// A CHILD_SA (or IKE_SA) rekey of one tunnel, started by the gateway of `cloud`.
  ProcessResult rekey(const std::string& device, const std::string& cloud, bool ike_sa);
  nlohmann::json status();

  /// Per tunnel device: the CHILD_SAs in use (inbound SPIs) or the IKE_SAs (SPIs), as the
  /// vpnlab gateways of the lab see them (both ends' views together).
  std::map<std::string, std::string> sa_ids(bool ike_sa);
  bool aws_tunnel_withdrawn(const std::string& device);
  bool all_tunnels_down();
  /// One IKE counter summed over the lab's vpnlab gateways.
  std::uint64_t ike_counter(const std::string& name);
  bool aws_sessions_refused_prefixes();
  std::string aws_bgp_error();
  /// "\n    node device: last error" for every tunnel that has one.
  std::string tunnel_errors();
  /// SIGKILL for the IKE daemon(s) of that cloud's gateway nodes (charon, or the vpnlab
  /// gateway process): no DELETE leaves. Only PIDs read from this lab's run directory.
  Checked<int> kill_ike_daemons(const std::string& cloud);

  std::string netns(const std::string& role) const { return name_ + "-" + role; }
  // The reference lab's hosts (the cases never change the FrontEnd or VPC subnet).
  Ipv4Address vnet_vm() const { return *Ipv4Address::parse("10.1.0.4"); }
  Ipv4Address vpc_host() const { return *Ipv4Address::parse("10.2.0.4"); }
  std::string run_dir() const { return "/run/vpnlab/" + name_; }

 private:
  ProcessResult vpnlab(std::vector<std::string> args);
  std::string exe_, file_, name_;
  bool keep_;
};

std::string last_line(const std::string& text);

}  // namespace vpnlab::topology::interop
