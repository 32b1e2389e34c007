#pragma once
// A strongSwan charon (kernel-libipsec, so it needs no XFRM) in its own network namespace,
// facing the vpnlab IKE daemon in a second namespace over a veth pair:
//
//   [ns vpnlab-t-<pid>-ikeus] 192.0.2.1 vb <==veth==> va 192.0.2.2 [ns vpnlab-t-<pid>-ikesw]
//        vpnlab IkeDaemon (this process, sockets                 charon + swanctl (vici)
//        created inside the namespace)
//
// Everything (namespaces, temp dir, charon) is created by the constructor and removed by the
// destructor on every exit path; charon is killed by its PID only. Setup mirrors
// shared/anchors/ipsec/strongswan-libipsec.sh (private mount namespace for /run).

#include <sys/types.h>
#include <string>

namespace vpnlab::ike::test {

struct CommandResult {
  int status = -1;
  std::string output;
};

/// Runs a shell command, echoing it with the namespace it runs in (STYLE.md netns tests).
CommandResult run_command(const std::string& cmd);

class CharonPeer {
 public:
  /// ike/esp: strongSwan proposal strings. Throws nothing; check ok() and error().
  /// encap: charon's "encap = yes" (it fakes NAT detection, forcing UDP 4500 + non-ESP marker).
  CharonPeer(const std::string& ike_proposals, const std::string& esp_proposals,
             const std::string& psk, bool encap = false);
  ~CharonPeer();
  CharonPeer(const CharonPeer&) = delete;
  CharonPeer& operator=(const CharonPeer&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& our_netns() const { return ns_us_; }
  /// swanctl against this charon (inside its namespace).
  CommandResult swanctl(const std::string& args) const;
  std::string log() const;

  static bool available();

 private:
  bool setup();
  std::string dir_, ns_us_, ns_sw_;
  pid_t charon_pid_ = -1;
  std::string error_;
  std::string ike_, esp_, psk_;
  bool encap_ = false;
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
