#include "bgp/core/status.hpp"

#include <algorithm>
#include <cstdio>

#include "bgp/codec/notification_data.hpp"
#include "bgp/core/bgp_core.hpp"

namespace vpnlab::bgp {

namespace {

RouteView view_of(const Ipv4Prefix& prefix, const PathAttributes& a, std::string source) {
  RouteView v;
  v.prefix = prefix;
  v.next_hop = a.next_hop;
  v.as_path = a.as_path ? a.as_path->to_string() : "";
  v.origin = a.origin.value_or(Origin::incomplete);
  v.med = a.med;
  v.local_pref = a.local_pref;
  v.source = std::move(source);
  return v;
}

// The RIB is a hash table: routes are shown in prefix order (best first within a prefix).
void by_prefix(std::vector<RouteView>& routes) {
  std::stable_sort(routes.begin(), routes.end(),
                   [](const RouteView& a, const RouteView& b) { return a.prefix < b.prefix; });
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out + "\"";
}

std::string route_json(const RouteView& r) {
  std::string j = "{\"network\":" + quote(r.prefix.to_string());
  j += ",\"nextHop\":" + quote(r.next_hop ? r.next_hop->to_string() : "");
  j += ",\"asPath\":" + quote(r.as_path);
  j += ",\"origin\":" + quote(to_string(r.origin));
  if (r.med) j += ",\"med\":" + std::to_string(*r.med);
  if (r.local_pref) j += ",\"localPref\":" + std::to_string(*r.local_pref);
  j += ",\"best\":" + std::string(r.best ? "true" : "false");
  j += ",\"stale\":" + std::string(r.stale ? "true" : "false");
  j += ",\"sourcePeer\":" + quote(r.source) + "}";
  return j;
}

template <typename T, typename F>
std::string array_json(const std::vector<T>& items, F f) {
  std::string j = "[";
  for (std::size_t i = 0; i < items.size(); ++i) j += (i ? "," : "") + f(items[i]);
  return j + "]";
}

// The last NOTIFICATION decoded (RFC 4271 §4.5 names, RFC 4486 §4 data), who sent it, and
// why when we did, so status can print it without parsing the text.
std::string last_error_json(const std::optional<LastError>& e) {
  if (!e) return "null";
  const Notification& n = e->notification;
  std::string j = "{\"direction\":" + quote(e->sent ? "sent" : "received");
  j += ",\"code\":" + std::to_string(n.code);
  j += ",\"subcode\":" + std::to_string(n.subcode);
  j += ",\"name\":" + quote(notification_name(n));
  j += ",\"codeName\":" + quote(error_code_name(n.code));
  j += ",\"subcodeName\":" + quote(error_subcode_name(n.code, n.subcode));
  j += ",\"data\":" + quote(to_hex(ByteSpan(n.data)));
  j += ",\"dataText\":" + quote(describe_notification_data(n));
  j += ",\"reason\":" + quote(e->reason) + "}";
  return j;
}

std::string peer_json(const PeerStatus& p) {
  std::string j = "{\"neighbor\":" + quote(p.peer_address.to_string());
  j += ",\"localAddress\":" + quote(p.local_address.to_string());
  j += ",\"asn\":" + std::to_string(p.asn.value);
  j += ",\"state\":" + quote(azure_state(p));
  j += ",\"bgpState\":" + quote(to_string(p.state));
  j += ",\"lastTransitionReason\":" + quote(to_string(p.last_reason));
  j += ",\"connectedDuration\":" + quote(azure_duration(p.connected_duration));
  j += ",\"connectedSeconds\":" + std::to_string(p.connected_duration.count());
  j += ",\"routesReceived\":" + std::to_string(p.routes_received);
  j += ",\"messagesSent\":" + std::to_string(p.messages_sent);
  j += ",\"messagesReceived\":" + std::to_string(p.messages_received);
  j += ",\"holdTime\":" + std::to_string(p.hold_time.count());
  j += ",\"keepaliveTime\":" + std::to_string(p.keepalive_time.count());
  j += ",\"lastError\":" + (p.last_error ? quote(p.last_error->text) : std::string("null"));
  j += ",\"lastErrorDetail\":" + last_error_json(p.last_error);
  j += ",\"awsStatus\":" + quote(aws_status(p));
  j += ",\"awsStatusMessage\":" + quote(aws_status_message(p));
  j += ",\"learnedRoutes\":" + array_json(p.learned, route_json);
  j += ",\"advertisedRoutes\":" + array_json(p.advertised, route_json) + "}";
  return j;
}

}  // namespace

const char* azure_state(const PeerStatus& p) {
  if (p.stopped) return "Stopped";
  switch (p.state) {
    case BgpState::established:
      return "Connected";
    case BgpState::idle:
      return "Idle";
    default:
      return "Connecting";
  }
}

std::string azure_duration(Seconds d) {
  long long s = d.count();
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld.%02lld:%02lld:%02lld", s / 86400, (s / 3600) % 24,
                (s / 60) % 60, s % 60);
  return buf;
}

std::string aws_status(const PeerStatus& p) {
  return p.state == BgpState::established ? "UP" : "DOWN";
}

std::string aws_status_message(const PeerStatus& p) {
  if (p.state != BgpState::established) return "";
  return std::to_string(p.routes_received) + " BGP ROUTES";
}

std::string to_json(const Status& s) {
  std::string j = "{\"asn\":" + std::to_string(s.asn.value);
  j += ",\"routerId\":" + quote(s.router_id.to_string());
  j += ",\"peers\":" + array_json(s.peers, peer_json);
  j += ",\"locRib\":" + array_json(s.loc_rib, route_json) + "}";
  return j;
}

Status BgpCore::status() const {
  Status st;
  st.asn = config_.asn;
  st.router_id = config_.router_id;
  auto now = clock_.now();
  for (const auto& [addr, ps] : peers_) {
    PeerStatus p;
    p.peer_address = addr;
    p.local_address = ps.cfg.session.local_address;
    p.asn = ps.cfg.session.peer_asn;
    p.state = ps.main.state();
    p.stopped =
        ps.main.state() == BgpState::idle && ps.main.last_reason() == TransitionReason::manual_stop;
    p.last_reason = ps.main.last_reason();
    if (ps.established_at)
      p.connected_duration = std::chrono::duration_cast<Seconds>(now - *ps.established_at);
    p.routes_received = rib_.count(ps.index);
    p.messages_sent = ps.messages_sent;
    p.messages_received = ps.messages_received;
    p.last_error = ps.main.last_error();
    if (ps.negotiated) {
      p.hold_time = ps.negotiated->hold_time;
      p.keepalive_time = ps.negotiated->keepalive_time;
    }
    const PeerIndex index = ps.index;  // (clang 14: lambdas cannot capture structured bindings)
    const std::string source = addr.to_string();
    rib_.entries().for_each([&](const Ipv4Prefix& prefix, const RouteEntry& e) {
      auto paths = rib_.paths(e);
      for (const auto& r : paths) {
        if (r.peer != index) continue;
        RouteView v = view_of(prefix, *rib_.attrs().get(r.attrs), source);
        v.stale = (r.flags & kPathStale) != 0;
        v.best = e.in_loc_rib && paths.front().peer == index;
        p.learned.push_back(std::move(v));
      }
    });
    by_prefix(p.learned);
    ps.rib_out.for_each([&](const Ipv4Prefix& prefix, InternId id) {
      p.advertised.push_back(view_of(prefix, *out_attrs_.get(id), "local"));
    });
    by_prefix(p.advertised);
    st.peers.push_back(std::move(p));
  }
  rib_.entries().for_each([&](const Ipv4Prefix& prefix, const RouteEntry& e) {
    auto paths = rib_.paths(e);
    for (const auto& r : paths) {
      if (!(r.flags & kPathSelected)) break;
      RouteView v =
          view_of(prefix, *rib_.attrs().get(r.attrs),
                  r.peer == kLocalPeer ? "local" : source_of(r.peer).peer_address.to_string());
      v.best = &r == paths.data();
      v.stale = (r.flags & kPathStale) != 0;
      st.loc_rib.push_back(std::move(v));
    }
  });
  by_prefix(st.loc_rib);
  return st;
}

}  // namespace vpnlab::bgp
