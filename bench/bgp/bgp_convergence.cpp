// BGP convergence benchmark: a blaster peer (AS 65001, 127.0.0.2) announces N /24 prefixes
// (one AS_PATH, ~800 prefixes per UPDATE) to a receiver on 127.0.0.1; we measure the time
// from the blaster's session coming up (its KEEPALIVE after OPEN exchange) until all N are
// in the receiver's Loc-RIB, and the receiver's RSS growth per route. The same blaster runs
// against vpnlab's Speaker (in this process, no kernel installs) and FRR bgpd (a child
// process, -Z -n: no zebra, no kernel), in the same run.
//
//   bgp_convergence [N ...]            default: 1000 10000 100000
//
// vpnlab's Loc-RIB count is read directly (exact); FRR's pfxRcd is polled through vtysh
// every 20 ms (resolution ~20-40 ms). FRR is skipped when not root or not installed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "base/log.hpp"
#include "bgp/codec/message.hpp"
#include "bgp/speaker/config_file.hpp"
#include "bgp/speaker/deframer.hpp"

using namespace vpnlab;
using namespace vpnlab::bgp;
using WallClock = std::chrono::steady_clock;

namespace {

long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + (pid ? std::to_string(pid) : std::string("self")) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

Bytes build_updates(std::size_t n) {
  Bytes all;
  UpdateMessage u;
  u.attrs.origin = Origin::igp;
  u.attrs.as_path = AsPath{{{SegmentType::as_sequence, {Asn{65001}}}}};
  u.attrs.next_hop = Ipv4Address{0x0a000002};  // 10.0.0.2
  for (std::size_t i = 0; i < n; ++i) {
    u.nlri.push_back(Ipv4Prefix{Ipv4Address{0x0a000000u + static_cast<std::uint32_t>(i << 8)}, 24});
    if (u.nlri.size() == 800 || i + 1 == n) {
      Bytes m = encode_update(u, {});
      all.insert(all.end(), m.begin(), m.end());
      u.nlri.clear();
    }
  }
  Bytes eor = encode_end_of_rib();
  all.insert(all.end(), eor.begin(), eor.end());
  return all;
}

// The blaster: connects (retrying), exchanges OPEN/KEEPALIVE, records when the session is
// up, sends every UPDATE, then drains the socket until told to stop.
struct Blaster {
  std::uint16_t port;
  const Bytes& updates;
  std::atomic<bool> stop{false};
  std::atomic<bool> up{false};
  WallClock::time_point up_at;

  void run() {
    int fd = -1;
    for (int i = 0; i < 1000 && !stop; ++i) {
      fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in local{AF_INET, 0, {htonl(0x7f000002)}, {}};
      sockaddr_in remote{AF_INET, htons(port), {htonl(0x7f000001)}, {}};
      ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) == 0) break;
      ::close(fd);
      fd = -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (fd < 0) return;
    Capabilities caps;
    caps.multiprotocol = {kIpv4Unicast};
    send_all(fd, encode_open(make_open(Asn{65001}, Seconds(180), Ipv4Address{0x0a000002}, caps)));
    Deframer d;
    bool got_open = false, got_ka = false;
    std::uint8_t buf[65536];
    while (!stop) {
      ssize_t r = ::recv(fd, buf, sizeof buf, 0);
      if (r <= 0) break;
      d.feed(ByteSpan(buf, static_cast<std::size_t>(r)));
      while (auto m = d.next()) {
        if ((*m)[18] == 1 && !got_open) {
          got_open = true;
          send_all(fd, encode_keepalive());
        }
        if ((*m)[18] == 4 && got_open && !got_ka) {
          got_ka = true;
          up_at = WallClock::now();
          up = true;
          send_all(fd, updates);
        }
      }
    }
    ::close(fd);
  }
  static void send_all(int fd, const Bytes& b) {
    std::size_t off = 0;
    while (off < b.size()) {
      ssize_t w = ::send(fd, b.data() + off, b.size() - off, MSG_NOSIGNAL);
      if (w <= 0) return;
      off += static_cast<std::size_t>(w);
    }
  }
};

void run_vpnlab(std::size_t n, const Bytes& updates, std::uint16_t port) {
  auto cfg = parse_speaker_config("asn 65515\nport " + std::to_string(port) +
                                  "\npeer 127.0.0.2 asn 65001 local 127.0.0.1 passive on "
                                  "max-prefix 1000000\n");
  long rss0 = rss_kib(0);
  boost::asio::io_context io;
  Speaker speaker(io, std::move(*cfg), nullptr);
  if (!speaker.start()) return;
  Blaster b{port, updates};
  std::thread t([&] { b.run(); });
  auto deadline = WallClock::now() + std::chrono::seconds(120);
  while (speaker.core().loc_rib_size() < n && WallClock::now() < deadline)
    io.run_one_for(std::chrono::milliseconds(5));
  auto done = WallClock::now();
  long rss1 = rss_kib(0);
  while (!b.up) std::this_thread::yield();  // acquire: up_at was written before up
  double ms = std::chrono::duration<double, std::milli>(done - b.up_at).count();
  std::printf("vpnlab %7zu prefixes  %9.1f ms  RSS +%7ld KiB  %6.0f B/route\n", n, ms, rss1 - rss0,
              (rss1 - rss0) * 1024.0 / static_cast<double>(n));
  b.stop = true;
  speaker.stop();
  for (int i = 0; i < 100; ++i) io.run_one_for(std::chrono::milliseconds(5));
  t.join();
}

std::string capture(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    while (std::size_t k = std::fread(buf, 1, sizeof buf, p)) out.append(buf, k);
    ::pclose(p);
  }
  return out;
}

std::size_t frr_received(const std::string& dir) {
  std::string s =
      capture("vtysh --vty_socket " + dir + " -d bgpd -c 'show bgp summary json' 2>/dev/null");
  auto at = s.find("\"pfxRcd\":");
  return at == std::string::npos ? 0 : std::stoul(s.substr(at + 9));
}

void run_frr(std::size_t n, const Bytes& updates, std::uint16_t port) {
  char tmpl[] = "/tmp/vpnlab-bgp-bench-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::ofstream(dir + "/bgpd.conf") << "router bgp 65515\n bgp router-id 127.0.0.1\n"
                                    << " no bgp ebgp-requires-policy\n"
                                    << " neighbor 127.0.0.2 remote-as 65001\n"
                                    << " neighbor 127.0.0.2 passive\n";
  ::chmod(dir.c_str(), 0755);
  pid_t pid = ::fork();
  if (pid == 0) {
    std::string p = std::to_string(port), conf = dir + "/bgpd.conf", pidf = dir + "/bgpd.pid";
    ::execl("/usr/lib/frr/bgpd", "bgpd", "-Z", "-n", "-S", "-f", conf.c_str(), "-i", pidf.c_str(),
            "--vty_socket", dir.c_str(), "-l", "127.0.0.1", "-p", p.c_str(), "--log",
            ("file:" + dir + "/bgpd.log").c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  long rss0 = rss_kib(pid);
  Blaster b{port, updates};
  std::thread t([&] { b.run(); });
  auto deadline = WallClock::now() + std::chrono::seconds(120);
  while (frr_received(dir) < n && WallClock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto done = WallClock::now();
  long rss1 = rss_kib(pid);
  while (!b.up) std::this_thread::yield();
  double ms = std::chrono::duration<double, std::milli>(done - b.up_at).count();
  std::printf("frr    %7zu prefixes  %9.1f ms  RSS +%7ld KiB  %6.0f B/route\n", n, ms, rss1 - rss0,
              (rss1 - rss0) * 1024.0 / static_cast<double>(n));
  b.stop = true;
  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
  t.join();
  capture("rm -rf " + dir);
}

}  // namespace

int main(int argc, char** argv) {
  vpnlab::log::set_level(vpnlab::log::Level::warn);
  std::vector<std::size_t> sizes = {1000, 10000, 100000};
  if (argc > 1) {
    sizes.clear();
    for (int i = 1; i < argc; ++i) sizes.push_back(std::stoul(argv[i]));
  }
  bool frr = ::geteuid() == 0 && ::access("/usr/lib/frr/bgpd", X_OK) == 0;
  std::uint16_t port = static_cast<std::uint16_t>(30000 + ::getpid() % 20000);
  for (auto n : sizes) {
    Bytes updates = build_updates(n);
    run_vpnlab(n, updates, port++);
    if (frr) run_frr(n, updates, port++);
  }
  if (!frr) std::printf("(FRR skipped: needs root and /usr/lib/frr/bgpd)\n");
  return 0;
}
