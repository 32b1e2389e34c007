#pragma once
// A strongSwan charon (kernel-libipsec, so it needs no XFRM) in its own network namespace,
// facing the vpnlab IKE daemon in a second namespace over a veth pair:
//
//   [ns vpnlab-t-<pid>-ikeus] 192.0.2.1 vb <==veth==> va 192.0.2.2 [ns vpnlab-t-<pid>-ikesw]
//        vpnlab IkeDaemon (this process, sockets                 charon + swanctl (vici)
//        created inside the namespace)
//
// With `nat`, a third namespace masquerades vpnlab's side (nftables, ports 20000-30000):
//
//   [ikeus] 192.168.1.2 vb <==> na 192.168.1.1 [ikenat] 192.0.2.1 nb <==> va 192.0.2.2 [ikesw]
//
// and counts the NAT keepalives (UDP to 4500 carrying one octet) it forwards.
// With `hosts`, the site addresses 10.1.0.1 (vpnlab side) and 10.2.0.1 (charon side) sit on
// the namespaces' loopbacks, and charon's side routes 10.1.0.0/24 into its libipsec TUN
// (ipsec0); the vpnlab side routes 10.2.0.0/24 into the Engine's TUN (the test does that).
//
// Everything (namespaces, temp dir, charon) is created by the constructor and removed by the
// destructor on every exit path; charon is killed by its PID only. Setup mirrors
// shared/anchors/ipsec/strongswan-libipsec.sh (private mount namespace for /run).

#include <sys/types.h>
#include <string>
#include <vector>

namespace vpnlab::ike::test {

struct CommandResult {
  int status = -1;
  std::string output;
};

/// Runs a shell command, echoing it with the namespace it runs in (STYLE.md netns tests).
CommandResult run_command(const std::string& cmd);

class CharonPeer {
 public:
  struct Options {
    std::string ike, esp, psk;  // strongSwan proposal strings and the PSK
    /// charon's "encap = yes" (it fakes NAT detection, forcing UDP 4500 + non-ESP marker).
    bool encap = false;
    bool nat = false;     // a masquerading NAT namespace in front of vpnlab (see above)
    bool hosts = false;   // site addresses and charon's route into ipsec0 (see above)
    int dpd_delay_s = 0;  // charon's dpd_delay (0: no liveness checks from charon)
    // charon's own selectors (narrowed ones make it narrow ours, RFC 7296 2.9) and any other
    // swanctl.conf settings of the connection / its child (lifetimes, rekey times...).
    std::string local_ts = "0.0.0.0/0", remote_ts = "0.0.0.0/0";
    std::string conn_extra, child_extra;
  };
  /// Throws nothing; check ok() and error().
  explicit CharonPeer(Options options);
  ~CharonPeer();
  CharonPeer(const CharonPeer&) = delete;
  CharonPeer& operator=(const CharonPeer&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& our_netns() const { return ns_us_; }
  /// swanctl against this charon (inside its namespace).
  CommandResult swanctl(const std::string& args) const;
  /// charon crashes (SIGKILL, no DELETE sent) and starts again with the same configuration:
  /// a CGW reboot. False (see error()) when it does not come back.
  bool crash_and_restart();
  std::string log() const;

  static bool available();
  /// vpnlab's address on its veth (192.168.1.2 behind the NAT, else 192.0.2.1).
  const char* our_address() const { return o_.nat ? "192.168.1.2" : "192.0.2.1"; }
  const std::string& charon_netns() const { return ns_sw_; }
  /// NAT keepalives the NAT namespace forwarded towards charon (nftables counter).
  int keepalives_through_nat() const;

 private:
  bool setup();
  bool start_charon();
  bool build_topology();
  bool run_all(const std::vector<std::string>& cmds);
  std::string dir_, ns_us_, ns_sw_, ns_nat_;
  pid_t charon_pid_ = -1;
  std::string error_;
  Options o_;
};

/// Enters a network namespace for the lifetime of the guard (sockets opened meanwhile stay
/// in it), then returns to the original one.
class ScopedNetns {
 public:
  explicit ScopedNetns(const std::string& name);
  ~ScopedNetns();
  bool ok() const { return ok_; }

 private:
  int original_ = -1;
  bool ok_ = false;
};

}  // namespace vpnlab::ike::test
