#include "topology/interop/runner.hpp"

#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include "topology/interop/lab_run.hpp"
#include "topology/probe_stream.hpp"
#include "topology/reachability.hpp"

namespace vpnlab::topology::interop {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// Polls `pred` every 100 ms for up to `seconds` (waiting on real daemons, not a timer).
bool poll(double seconds, const std::function<bool()>& pred) {
  auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<long>(seconds * 1000));
  while (!pred()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

class CaseRun {
 public:
  CaseRun(const RunOptions& o, LabRun& lab, CaseResult& r) : o_(o), lab_(lab), r_(r) {}

  StepResult run(Step s) {
    StepResult st;
    st.step = s;
    auto t0 = Clock::now();
    switch (s) {
      case Step::converge:
        converge(st);
        break;
      case Step::traffic:
        traffic(st);
        break;
      case Step::rekey_child_real:
      case Step::rekey_child_lab:
      case Step::rekey_ike_real:
      case Step::rekey_ike_lab:
        rekey(st, s == Step::rekey_ike_real || s == Step::rekey_ike_lab,
              s == Step::rekey_child_real || s == Step::rekey_ike_real);
        break;
      case Step::tunnel_loss:
        tunnel_loss(st);
        break;
      case Step::peer_dies:
        peer_dies(st);
        break;
      case Step::prefix_limit:
        prefix_limit(st);
        break;
      case Step::refused_by_validate:
        refused(st);
        break;
    }
    st.seconds = since(t0);
    return st;
  }

 private:
  // The tutorial's part 4 (every connection Connected, every BGP peer Connected, every AWS
  // tunnel UP with routes: `vpnlab up --wait`), then the suites each tunnel negotiated.
  void converge(StepResult& st) {
    ProcessResult up = lab_.up(o_.converge_wait_s);
    if (up.status != 0) {
      st.detail = last_line(up.output) + lab_.tunnel_errors();
      return;
    }
    nlohmann::json s = lab_.status();
    std::set<std::string> ike, esp;
    for (const auto& [node, gw] : s["gateways"].items()) {
      if (!gw.is_object()) continue;
      for (const auto& t : gw.value("tunnels", nlohmann::json::array())) {
        for (const auto& sa : t.value("ike_sas", nlohmann::json::array())) {
          if (sa.value("state", "") != "ESTABLISHED") continue;
          ike.insert(sa.value("suite", ""));
          for (const auto& c : sa.value("child_sas", nlohmann::json::array()))
            esp.insert(c.value("suite", ""));
        }
      }
    }
    ike.erase("");
    esp.erase("");
    r_.ike_suites.assign(ike.begin(), ike.end());
    r_.esp_suites.assign(esp.begin(), esp.end());
    st.ok = true;
    st.detail = up.output.find("converged") != std::string::npos ? last_line(up.output) : "";
  }

  // Warm the path (first packets wait for ARP), then a stream both ways with nothing lost.
  void traffic(StepResult& st) {
    if (!warm_path(st)) return;
    auto s = stream(st);
    if (!s) return;
    std::this_thread::sleep_for(std::chrono::seconds(2));
    finish(st, **s);
    st.ok = st.probes_lost == 0 && st.probes_sent > 0;
    if (!st.ok && st.detail.empty()) st.detail = std::to_string(st.probes_lost) + " probes lost";
  }

  // Every tunnel rekeyed from one end while the stream flows; zero loss is the target
  // (make-before-break, RFC 7296 2.8 / 2.18).
  void rekey(StepResult& st, bool ike_sa, bool from_real) {
    if (!warm_path(st)) return;
    auto before = lab_.sa_ids(ike_sa);
    auto s = stream(st);
    if (!s) return;
    Side from = from_real ? o_.side : other(o_.side);
    std::string node_side = side_name(from);
    std::uint64_t refused_before =
        lab_.ike_counter("ike.child.create_failed") + lab_.ike_counter("ike.child.rejected");
    for (const auto& [device, id] : before) {
      ProcessResult r = lab_.rekey(device, node_side, ike_sa);
      if (r.status != 0) {
        (*s)->stop();
        st.detail = "rekey " + device + " from " + node_side + ": " + last_line(r.output);
        return;
      }
    }
    std::size_t refused = 0;
    bool all = poll(30 * o_.time_factor + 10, [&] {
      refused = lab_.ike_counter("ike.child.create_failed") +
                lab_.ike_counter("ike.child.rejected") - refused_before;
      auto now = lab_.sa_ids(ike_sa);
      for (const auto& [device, id] : before) {
        if (!now.count(device) || now[device] == id) return refused >= before.size();
      }
      return true;
    });
    std::this_thread::sleep_for(std::chrono::seconds(1));
    finish(st, **s);
    if (!all) {
      st.detail = std::string(ike_sa ? "IKE_SA" : "CHILD_SA") + " not replaced on every tunnel";
      return;
    }
    if (refused > 0) {
      st.detail = std::to_string(refused) + " rekeys refused (ike.child.create_failed / " +
                  "ike.child.rejected), " + std::to_string(st.probes_lost) + " probes lost";
      return;
    }
    st.ok = st.probes_lost == 0;
    st.detail = std::to_string(before.size()) + " tunnels rekeyed, " +
                std::to_string(st.probes_lost) + " of " + std::to_string(st.probes_sent) +
                " probes lost";
  }

  // One tunnel down on both ends (`vpnlab tunnel down`): its BGP session and routes go, the
  // consoles say so, and the stream keeps flowing over the other tunnels.
  void tunnel_loss(StepResult& st) {
    if (!warm_path(st)) return;
    auto s = stream(st);
    if (!s) return;
    const std::string device = "aws0t1";
    ProcessResult r = lab_.tunnel("down", device);
    bool withdrawn = r.status == 0 && poll(60 * o_.time_factor + 15,
                                           [&] { return lab_.aws_tunnel_withdrawn(device); });
    std::uint64_t at_withdrawal = (*s)->received_a_to_b() + (*s)->received_b_to_a();
    std::this_thread::sleep_for(std::chrono::seconds(2));
    std::uint64_t after = (*s)->received_a_to_b() + (*s)->received_b_to_a();
    finish(st, **s);
    if (!withdrawn) {
      st.detail = "tunnel " + device + " still UP or its routes not withdrawn: " +
                  (r.status ? last_line(r.output) : lab_.tunnel_errors());
      return;
    }
    st.ok = after > at_withdrawal + 100;
    st.detail = "routes withdrawn; outage " + std::to_string(static_cast<int>(st.longest_gap_ms)) +
                " ms, " + std::to_string(st.probes_lost) + " probes lost" +
                (st.ok ? "" : "; traffic did not continue on the other tunnels");
  }

  // The real side's IKE daemon dies (SIGKILL: no DELETE). vpnlab's side must notice by DPD,
  // clear the tunnels (AWS DPD action clear; Azure deletes after its DPD timeout) and
  // withdraw the routes (cloud-facts §1 DPD [A-TUN], §2 DPD [Z-FAQ-IPSEC]).
  void peer_dies(StepResult& st) {
    auto killed = lab_.kill_ike_daemons(side_name(o_.side));
    if (!killed) {
      st.detail = killed.error().message;
      return;
    }
    bool detected = poll(90 * o_.time_factor + 20, [&] { return lab_.all_tunnels_down(); });
    std::string why = lab_.tunnel_errors();
    if (!detected) {
      st.detail = "tunnels still UP after the peer died" + why;
      return;
    }
    st.ok = why.find("dead peer") != std::string::npos ||
            why.find("not responding") != std::string::npos;
    st.detail = "every tunnel DOWN, BGP withdrawn" + why;
  }

  // cloud-facts §1 "Routes per BGP session": more than 100 prefixes -> NOTIFICATION Cease/1,
  // the session goes Idle [X-AVX]. The lab announces 101 from the VNet.
  void prefix_limit(StepResult& st) {
    ProcessResult up = lab_.up(0);
    if (up.status != 0) {
      st.detail = last_line(up.output);
      return;
    }
    st.ok = poll(60 * o_.time_factor + 30, [&] { return lab_.aws_sessions_refused_prefixes(); });
    st.detail = st.ok ? "AWS closed every session: " + lab_.aws_bgp_error()
                      : "AWS sessions not closed for the prefix limit" + lab_.tunnel_errors();
  }

  void refused(StepResult& st) {
    ProcessResult v = lab_.validate();
    // validate must refuse it and name the field.
    std::size_t at = v.output.find("dh_groups");
    st.ok = v.status != 0 && at != std::string::npos;
    if (at == std::string::npos) {
      st.detail = "validate accepted it: " + last_line(v.output);
      return;
    }
    std::size_t b = v.output.rfind('\n', at), e = v.output.find('\n', at);
    st.detail = v.output.substr(b == std::string::npos ? 0 : b + 1,
                                (e == std::string::npos ? v.output.size() : e) - (b + 1));
  }

  bool warm_path(StepResult& st) {
    bool ok = poll(20, [&] {
      return bool(
          icmp_probe(lab_.netns("vnet-vm"), lab_.vpc_host(), std::chrono::milliseconds(500)));
    });
    if (!ok) st.detail = "VNet VM cannot reach the VPC host" + lab_.tunnel_errors();
    return ok;
  }

  Checked<std::unique_ptr<ProbeStream>> stream(StepResult& st) {
    auto s = ProbeStream::start({lab_.netns("vnet-vm"), lab_.vnet_vm()},
                                {lab_.netns("vpc-host"), lab_.vpc_host()},
                                ProbeOptions{1000, std::chrono::milliseconds(500)});
    if (!s) st.detail = "probe stream: " + s.error().message;
    return s;
  }

  void finish(StepResult& st, ProbeStream& s) {
    ProbeReport p = s.stop();
    st.probes_sent = p.a_to_b.sent + p.b_to_a.sent;
    st.probes_lost = p.lost();
    st.longest_gap_ms = std::max(p.a_to_b.longest_gap_ms, p.b_to_a.longest_gap_ms);
    r_.probes_sent += st.probes_sent;
    r_.probes_lost += st.probes_lost;
  }

  static Side other(Side s) { return s == Side::azure ? Side::aws : Side::azure; }

  const RunOptions& o_;
  LabRun& lab_;
  CaseResult& r_;
};

}  // namespace

CaseResult run_case(const Case& c, const RunOptions& o, int index) {
  CaseResult r;
  r.name = c.name;
  r.what = c.what;
  r.side = side_name(o.side);
  r.peer = o.peer;
  r.lab = "iop" + std::to_string(::getpid() % 10000) + "-" + std::to_string(index);
  auto t0 = Clock::now();
  if (std::string why = c.unsupported ? c.unsupported(o.side, o.peer) : ""; !why.empty()) {
    r.skipped = r.ok = true;
    r.reason = "skipped: " + why;
    if (o.progress) o.progress("  skip " + r.reason);
    return r;
  }
  std::string file = o.work_dir + "/" + r.lab + ".yaml";
  {
    std::ofstream out(file, std::ios::trunc);
    ::chmod(file.c_str(), 0600);
    out << case_lab_yaml(c, o.side, o.peer, r.lab, o.time_factor);
  }
  LabRun lab(o.vpnlab_exe, file, r.lab, o.keep);
  CaseRun run(o, lab, r);
  r.ok = true;
  for (Step s : c.steps) {
    StepResult st = run.run(s);
    if (o.progress)
      o.progress("  " + std::string(st.ok ? "ok  " : "FAIL") + " " + step_name(s) + " (" +
                 std::to_string(st.seconds).substr(0, 4) + " s)" +
                 (st.detail.empty() ? "" : ": " + st.detail));
    r.steps.push_back(st);
    if (!st.ok) {
      r.ok = false;
      r.reason = step_name(s) + ": " + st.detail;
      break;
    }
  }
  r.seconds = since(t0);
  return r;
}

nlohmann::json to_json(const CaseResult& r) {
  nlohmann::json steps = nlohmann::json::array();
  for (const StepResult& s : r.steps) {
    steps.push_back({{"step", step_name(s.step)},
                     {"ok", s.ok},
                     {"detail", s.detail},
                     {"probes_sent", s.probes_sent},
                     {"probes_lost", s.probes_lost},
                     {"longest_gap_ms", s.longest_gap_ms},
                     {"seconds", s.seconds}});
  }
  return {{"case", r.name},
          {"what", r.what},
          {"side", r.side},
          {"peer", r.peer},
          {"lab", r.lab},
          {"result", r.skipped ? "skip"
                     : r.ok    ? "pass"
                               : "FAIL"},
          {"reason", r.reason},
          {"ike_suites", r.ike_suites},
          {"esp_suites", r.esp_suites},
          {"probes_sent", r.probes_sent},
          {"probes_lost", r.probes_lost},
          {"seconds", r.seconds},
          {"steps", steps}};
}

}  // namespace vpnlab::topology::interop
