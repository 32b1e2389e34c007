#pragma once
// One gateway node (Azure instance 0, Azure instance 1 or the AWS virtual private gateway):
// the ESP dataplane with one TUN device per tunnel, the keying of its SAs (manual now; IKE
// when lab.keying is ike), the control socket and the status document, all on one
// io_context thread (shared/DESIGN.md "Processes"). Built from a GatewayPlan only.

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange unincluded

#include <boost/asio.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "bgp/speaker/speaker.hpp"
#include "dataplane/linux/engine.hpp"
#include "dataplane/linux/netlink.hpp"
#include "ike/core/ike_manager.hpp"
#include "ike/core/rng.hpp"
#include "ike/daemon/ike_daemon.hpp"
#include "topology/gateway/control_socket.hpp"
#include "topology/gateway/key_log.hpp"
#include "topology/plan.hpp"

namespace vpnlab::topology {

class Gateway {
 public:
  /// Creates the TUN devices and sockets in the calling thread's namespace and opens the
  /// control socket. Errors name the device, address or path.
  static Checked<std::unique_ptr<Gateway>> create(GatewayPlan plan, boost::asio::io_context& io,
                                                  const std::string& control_path);
  ~Gateway();

  /// Opens BGP's listeners (port 179), then calls `setup_done`: the last point where the
  /// process has one thread, for the caller to drop privileges (topology/privileges.hpp);
  /// then starts the dataplane workers and brings tunnels up as the plan's keying allows.
  /// An error from setup_done is returned and nothing more is started.
  Checked<void> start(const std::function<Checked<void>()>& setup_done = {});
  void stop();

  nlohmann::json status() const;
  nlohmann::json handle(const nlohmann::json& request);

 private:
  struct TunnelState {
    bool up = false;
    esp::Spi spi_in, spi_out;
    std::chrono::system_clock::time_point since{};
    std::string last_error;
    // SAs this end saw established on the tunnel, either role: the first of each plus one
    // per rekey (or re-establishment), so a soak counts rekeys from both ends.
    std::uint64_t ike_sas_established = 0, child_sas_established = 0;
  };
  Gateway(GatewayPlan plan, boost::asio::io_context& io);
  Checked<void> bring_up(const TunnelPlan& t);
  void take_down(const TunnelPlan& t, const std::string& why);
  nlohmann::json tunnel_status(const TunnelPlan& t) const;
  nlohmann::json rekey(const TunnelPlan& t, bool ike_sa);
  nlohmann::json bgp_reset(const TunnelPlan& t);
  void watch_control_fd();
  Checked<void> start_bgp();
  Checked<void> start_ike();
  void on_ike_event(const ike::Event& e);
  void refresh_ike_tunnels();
  nlohmann::json ike_status(const TunnelPlan& t) const;
  nlohmann::json child_status(ike::IkeSpi owner, const ike::ChildSa& c) const;
  void note_established_sas();
  void set_bgp_for_tunnel(const TunnelPlan& t, bool up);

  GatewayPlan plan_;
  boost::asio::io_context& io_;
  std::unique_ptr<dataplane::Engine> engine_;
  // SA keys for `vpnlab capture` (root-only "keys" command); IKE and manual keying install
  // through installer_, which records into keys_ and forwards to engine_.
  std::unique_ptr<KeyLog> keys_;
  std::unique_ptr<KeyRecordingInstaller> installer_;
  std::unique_ptr<dataplane::NetlinkRouteTable> routes_;
  std::unique_ptr<bgp::Speaker> speaker_;
  ike::OpenSslRng rng_;
  CounterSet ike_counters_;
  std::unique_ptr<ike::IkeManager> ike_;
  std::unique_ptr<ike::IkeDaemon> ike_daemon_;
  std::unique_ptr<ControlSocket> control_;
  boost::asio::posix::stream_descriptor engine_events_;
  std::map<std::string, TunnelState> tunnels_;  // by device
  std::chrono::system_clock::time_point started_;
  // When each IKE_SA (by local SPI) and CHILD_SA (by inbound SPI) was first seen established.
  std::map<std::uint64_t, std::chrono::system_clock::time_point> ike_established_;
  std::map<std::uint32_t, std::chrono::system_clock::time_point> child_established_;
};

}  // namespace vpnlab::topology
