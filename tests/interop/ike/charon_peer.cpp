#include "tests/interop/ike/charon_peer.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

namespace vpnlab::ike::test {
namespace {

constexpr const char* kCharon = "/usr/lib/ipsec/charon";

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

}  // namespace

CommandResult run_command(const std::string& cmd) {
  std::fprintf(stderr, "+ %s\n", cmd.c_str());
  CommandResult r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

bool CharonPeer::available() {
  return geteuid() == 0 && access(kCharon, X_OK) == 0 &&
         access("/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so", R_OK) == 0;
}

CharonPeer::CharonPeer(Options options) : o_(std::move(options)) {
  std::string pid = std::to_string(getpid());
  ns_us_ = "vpnlab-t-" + pid + "-ikeus";
  ns_sw_ = "vpnlab-t-" + pid + "-ikesw";
  if (o_.nat) ns_nat_ = "vpnlab-t-" + pid + "-ikenat";
  char tmpl[] = "/tmp/vpnlab-ike-interop-XXXXXX";
  if (!mkdtemp(tmpl)) {
    error_ = "mkdtemp failed";
    return;
  }
  dir_ = tmpl;
  if (!setup() && error_.empty()) error_ = "setup failed";
}

bool CharonPeer::run_all(const std::vector<std::string>& cmds) {
  for (const std::string& cmd : cmds) {
    CommandResult r = run_command(cmd);
    if (r.status != 0) {
      error_ = cmd + ": " + r.output;
      return false;
    }
  }
  return true;
}

bool CharonPeer::build_topology() {
  const std::string ip = "ip ", us = " -n " + ns_us_ + " ", sw = " -n " + ns_sw_ + " ";
  std::vector<std::string> cmds = {ip + "netns add " + ns_us_, ip + "netns add " + ns_sw_,
                                   ip + us + "link set lo up", ip + sw + "link set lo up"};
  if (!o_.nat) {
    cmds.insert(cmds.end(), {ip + sw + "link add va type veth peer name vb netns " + ns_us_,
                             ip + sw + "addr add 192.0.2.2/24 dev va",
                             ip + us + "addr add 192.0.2.1/24 dev vb"});
  } else {
    const std::string nat = " -n " + ns_nat_ + " ";
    cmds.insert(cmds.end(), {ip + "netns add " + ns_nat_, ip + nat + "link set lo up",
                             ip + nat + "link add na type veth peer name vb netns " + ns_us_,
                             ip + nat + "link add nb type veth peer name va netns " + ns_sw_,
                             ip + nat + "addr add 192.168.1.1/24 dev na",
                             ip + nat + "addr add 192.0.2.1/24 dev nb", ip + nat + "link set na up",
                             ip + nat + "link set nb up", ip + sw + "addr add 192.0.2.2/24 dev va",
                             ip + us + "addr add 192.168.1.2/24 dev vb",
                             "ip netns exec " + ns_nat_ + " sysctl -qw net.ipv4.ip_forward=1"});
  }
  cmds.insert(cmds.end(), {ip + sw + "link set va up", ip + us + "link set vb up"});
  if (o_.nat) cmds.push_back(ip + us + "route add default via 192.168.1.1");
  if (o_.hosts) {
    cmds.push_back(ip + us + "addr add 10.1.0.1/32 dev lo");
    cmds.push_back(ip + sw + "addr add 10.2.0.1/32 dev lo");
  }
  if (!run_all(cmds)) return false;
  if (!o_.nat) return true;
  // RFC 3022 NAPT: vpnlab's 192.168.1.2:500/4500 leave as 192.0.2.1:20000-30000.
  write_file(dir_ + "/nat.nft",
             "table ip vpnlab_nat {\n"
             "  counter keepalives { }\n"
             "  chain post { type nat hook postrouting priority srcnat; oifname \"nb\" "
             "meta l4proto udp masquerade to :20000-30000; }\n"
             "  chain forward_count { type filter hook forward priority filter; iifname \"na\" "
             "udp dport 4500 udp length 9 @th,64,8 0xff counter name keepalives; }\n}\n");
  return run_all({"ip netns exec " + ns_nat_ + " nft -f " + dir_ + "/nat.nft"});
}

int CharonPeer::keepalives_through_nat() const {
  if (!o_.nat) return 0;
  CommandResult r =
      run_command("ip netns exec " + ns_nat_ + " nft list counter ip vpnlab_nat keepalives");
  std::size_t at = r.output.find("packets ");
  return at == std::string::npos ? -1 : std::atoi(r.output.c_str() + at + 8);
}

bool CharonPeer::setup() {
  if (!build_topology()) return false;
  mkdir((dir_ + "/run").c_str(), 0700);
  write_file(
      dir_ + "/strongswan.conf",
      "charon {\n  load_modular = no\n"
      "  load = random nonce openssl aes sha1 sha2 hmac gmp kdf kernel-libipsec kernel-netlink "
      "socket-default vici\n  install_routes = no\n  delete_rekeyed_delay = 5\n"
      "  plugins { vici { socket = unix://" +
          dir_ +
          "/charon.vici } }\n"
          "  filelog { log { path = " +
          dir_ +
          "/charon.log\n default = 1\n ike = 4\n"
          " chd = 4\n net = 2\n flush_line = yes\n ike_name = yes } }\n}\n"
          "swanctl { socket = unix://" +
          dir_ + "/charon.vici }\n");
  write_file(
      dir_ + "/swanctl.conf",
      "connections { s2s { version = 2\n local_addrs = 192.0.2.2\n"
      " remote_addrs = 192.0.2.1\n encap = " +
          std::string(o_.encap ? "yes" : "no") +
          "\n dpd_delay = " + std::to_string(o_.dpd_delay_s) + "s\n proposals = " + o_.ike +
          "\n"
          " local { auth = psk\n id = 192.0.2.2 }\n remote { auth = psk\n id = 192.0.2.1 }\n" +
          o_.conn_extra + "\n children { net { local_ts = " + o_.local_ts + "\n remote_ts = " +
          o_.remote_ts + "\n esp_proposals = " + o_.esp + "\n" + o_.child_extra +
          "\n start_action = none } } } }\n"
          "secrets { ike-s2s { id-a = 192.0.2.1\n id-b = 192.0.2.2\n secret = \"" +
          o_.psk + "\" } }\n");
  return start_charon();
}

bool CharonPeer::crash_and_restart() {
  if (charon_pid_ > 0) {
    kill(charon_pid_, SIGKILL);
    int st = 0;
    waitpid(charon_pid_, &st, 0);
    charon_pid_ = -1;
  }
  unlink((dir_ + "/charon.vici").c_str());
  run_command("rm -f " + dir_ + "/run/charon.pid " + dir_ + "/run/charon.ctl");
  return start_charon();
}

bool CharonPeer::start_charon() {
  pid_t pid = fork();
  if (pid == 0) {
    std::string conf = "STRONGSWAN_CONF=" + dir_ + "/strongswan.conf";
    putenv(conf.data());
    int out = open((dir_ + "/charon.out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(out, 1);
    dup2(out, 2);
    execlp("ip", "ip", "netns", "exec", ns_sw_.c_str(), "unshare", "--mount", "--propagation",
           "private", "sh", "-c", "mount --bind \"$1\" /run && exec \"$2\"", "sh",
           (dir_ + "/run").c_str(), kCharon, static_cast<char*>(nullptr));
    _exit(127);
  }
  charon_pid_ = pid;
  for (int i = 0; i < 100 && access((dir_ + "/charon.vici").c_str(), F_OK) != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // process start-up, not a timer
  }
  CommandResult load = swanctl("--load-all --file " + dir_ + "/swanctl.conf");
  if (load.status != 0) {
    error_ = "swanctl --load-all: " + load.output + log();
    return false;
  }
  // kernel-libipsec created ipsec0 while loading; traffic to vpnlab's site goes into it.
  // ipsec0 up in any case: with narrowed selectors charon installs routes into it (table
  // 220), which fails on a device that is down and fails the CHILD_SA.
  if (!run_all({"ip -n " + ns_sw_ + " link set ipsec0 up"})) return false;
  return !o_.hosts || run_all({"ip -n " + ns_sw_ + " route add 10.1.0.0/24 dev ipsec0"});
}

CharonPeer::~CharonPeer() {
  if (charon_pid_ > 0) {
    kill(charon_pid_, SIGTERM);
    int st = 0;
    for (int i = 0; i < 40 && waitpid(charon_pid_, &st, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (waitpid(charon_pid_, &st, WNOHANG) == 0) {
      kill(charon_pid_, SIGKILL);
      waitpid(charon_pid_, &st, 0);
    }
  }
  run_command("ip netns del " + ns_sw_);
  run_command("ip netns del " + ns_us_);
  if (!ns_nat_.empty()) run_command("ip netns del " + ns_nat_);
  if (!dir_.empty() && std::getenv("VPNLAB_KEEP_INTEROP") == nullptr) {
    run_command("rm -rf " + dir_);
  }
}

CommandResult CharonPeer::swanctl(const std::string& args) const {
  return run_command("ip netns exec " + ns_sw_ + " env STRONGSWAN_CONF=" + dir_ +
                     "/strongswan.conf swanctl " + args + " --uri unix://" + dir_ + "/charon.vici");
}

std::string CharonPeer::log() const {
  std::ifstream in(dir_ + "/charon.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ScopedNetns::ScopedNetns(const std::string& name) {
  original_ = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  int fd = open(("/run/netns/" + name).c_str(), O_RDONLY | O_CLOEXEC);
  ok_ = original_ >= 0 && fd >= 0 && setns(fd, CLONE_NEWNET) == 0;
  if (fd >= 0) close(fd);
}

ScopedNetns::~ScopedNetns() {
  if (original_ >= 0) {
    setns(original_, CLONE_NEWNET);
    close(original_);
  }
}

}  // namespace vpnlab::ike::test
