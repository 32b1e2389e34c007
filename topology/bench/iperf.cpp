#include "topology/bench/iperf.hpp"

#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "dataplane/linux/netns.hpp"
#include "topology/nodes/node_process.hpp"

namespace vpnlab::topology::bench {

namespace {
constexpr const char* kIperf = "/usr/bin/iperf3";

Unexpected<Error> bad(const std::string& what) {
  return Unexpected{
      Error{std::make_error_code(std::errc::protocol_error), "iperf3 report: " + what}};
}
}  // namespace

Checked<IperfResult> parse_iperf_json(const std::string& text, bool udp) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON document");
  if (j.contains("error")) return bad(j["error"].get<std::string>());
  const auto* end = j.contains("end") && j["end"].is_object() ? &j["end"] : nullptr;
  if (!end || !end->contains("sum_received") || !(*end)["sum_received"].is_object()) {
    return bad("no end.sum_received summary (the run did not complete)");
  }
  const auto& rx = (*end)["sum_received"];
  IperfResult r;
  r.seconds = rx.value("seconds", 0.0);
  r.bits_per_second = rx.value("bits_per_second", 0.0);
  r.bytes = rx.value("bytes", std::uint64_t{0});
  if (udp) {
    // The receiver's count: `packets` is what it expected (highest sequence), lost included.
    r.packets = rx.value("packets", std::uint64_t{0});
    r.lost_packets = rx.value("lost_packets", std::uint64_t{0});
    if (r.lost_packets > r.packets) return bad("end.sum_received.lost_packets > packets");
  } else if (end->contains("sum_sent") && (*end)["sum_sent"].is_object()) {
    r.retransmits = (*end)["sum_sent"].value("retransmits", std::uint64_t{0});
  }
  if (r.seconds <= 0) return bad("end.sum_received.seconds is 0");
  return r;
}

std::vector<std::string> iperf_client_argv(const IperfCase& c, Ipv4Address server,
                                           std::uint16_t port) {
  std::vector<std::string> argv{kIperf,
                                "-c",
                                server.to_string(),
                                "-p",
                                std::to_string(port),
                                "-t",
                                std::to_string(c.seconds),
                                "-P",
                                std::to_string(c.streams),
                                "-J"};
  if (c.reverse) argv.push_back("-R");
  if (c.udp) {
    // -b is per stream, in bits of payload per second; the receiver's count is the rate
    // carried.
    const long long per_stream =
        8LL * c.udp_payload * c.udp_offered_pps / (c.streams > 0 ? c.streams : 1);
    for (const char* a : {"-u", "-b"}) argv.emplace_back(a);
    argv.push_back(std::to_string(per_stream));
    argv.emplace_back("-l");
    argv.push_back(std::to_string(c.udp_payload));
  }
  return argv;
}

Checked<IperfServer> IperfServer::start(const std::string& netns, std::uint16_t port,
                                        const std::string& log_path) {
  ::unlink(log_path.c_str());  // the readiness check reads this run's lines only
  // --forceflush: iperf3 buffers stdout into a file, and "Server listening" must show now.
  auto pid = dataplane::spawn_in_netns(
      netns, {kIperf, "-s", "-p", std::to_string(port), "--forceflush"}, log_path);
  if (!pid) {
    return Unexpected{
        Error{pid.error().code, "iperf3 server in " + netns + ": " + pid.error().message}};
  }
  // iperf3 prints "Server listening" once its socket is bound.
  for (int i = 0; i < 50; ++i) {
    if (nodes::read_text(log_path).find("Server listening") != std::string::npos) {
      return IperfServer(*pid);
    }
    if (!nodes::process_alive(*pid)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  nodes::stop_pid(*pid);
  return Unexpected{
      Error{std::make_error_code(std::errc::timed_out),
            "iperf3 server in " + netns + " did not start: " + nodes::log_tail(log_path)}};
}

IperfServer::~IperfServer() {
  if (pid_ > 0) nodes::stop_pid(pid_, std::chrono::milliseconds(500));
}

Checked<IperfResult> run_iperf_client(const std::string& netns, const IperfCase& c,
                                      Ipv4Address server, std::uint16_t port) {
  std::vector<std::string> argv{"/usr/sbin/ip", "netns", "exec", netns};
  for (auto& a : iperf_client_argv(c, server, port)) argv.push_back(std::move(a));
  // iperf3 -J exits non-zero on errors but still prints the JSON that says why.
  // Generous: a loaded machine stretches the start and the end-of-test exchange by seconds;
  // longer than this, iperf3 hangs (run_bench retries once).
  auto out = nodes::run_capture(argv, std::chrono::seconds(c.seconds + 20));
  if (!out) {
    // The failure text carries iperf3's JSON (which names the problem) when it printed one.
    const std::string& msg = out.error().message;
    auto brace = msg.find('{');
    if (out.error().code == std::errc::timed_out) {
      return Unexpected{Error{out.error().code, "iperf3 client did not finish within " +
                                                    std::to_string(c.seconds + 20) + " s"}};
    }
    if (brace == std::string::npos) return Unexpected{out.error()};
    return parse_iperf_json(msg.substr(brace), c.udp);
  }
  return parse_iperf_json(*out, c.udp);
}

}  // namespace vpnlab::topology::bench
