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

CharonPeer::CharonPeer(const std::string& ike, const std::string& esp, const std::string& psk,
                       bool encap)
    : ike_(ike), esp_(esp), psk_(psk), encap_(encap) {
  std::string pid = std::to_string(getpid());
  ns_us_ = "vpnlab-t-" + pid + "-ikeus";
  ns_sw_ = "vpnlab-t-" + pid + "-ikesw";
  char tmpl[] = "/tmp/vpnlab-ike-interop-XXXXXX";
  if (!mkdtemp(tmpl)) {
    error_ = "mkdtemp failed";
    return;
  }
  dir_ = tmpl;
  if (!setup() && error_.empty()) error_ = "setup failed";
}

bool CharonPeer::setup() {
  const std::string ip = "ip ";
  for (const std::string& cmd :
       {ip + "netns add " + ns_us_, ip + "netns add " + ns_sw_,
        ip + "-n " + ns_sw_ + " link add va type veth peer name vb netns " + ns_us_,
        ip + "-n " + ns_sw_ + " addr add 192.0.2.2/24 dev va",
        ip + "-n " + ns_us_ + " addr add 192.0.2.1/24 dev vb",
        ip + "-n " + ns_sw_ + " link set va up", ip + "-n " + ns_us_ + " link set vb up",
        ip + "-n " + ns_sw_ + " link set lo up", ip + "-n " + ns_us_ + " link set lo up"}) {
    CommandResult r = run_command(cmd);
    if (r.status != 0) {
      error_ = cmd + ": " + r.output;
      return false;
    }
  }
  mkdir((dir_ + "/run").c_str(), 0700);
  write_file(
      dir_ + "/strongswan.conf",
      "charon {\n  load_modular = no\n"
      "  load = random nonce openssl aes sha1 sha2 hmac gmp kdf kernel-libipsec kernel-netlink "
      "socket-default vici\n  install_routes = no\n"
      "  plugins { vici { socket = unix://" +
          dir_ +
          "/charon.vici } }\n"
          "  filelog { log { path = " +
          dir_ +
          "/charon.log\n default = 1\n ike = 4\n"
          " chd = 4\n net = 2\n flush_line = yes\n ike_name = yes } }\n}\n"
          "swanctl { socket = unix://" +
          dir_ + "/charon.vici }\n");
  write_file(dir_ + "/swanctl.conf",
             "connections { s2s { version = 2\n local_addrs = 192.0.2.2\n"
             " remote_addrs = 192.0.2.1\n encap = " +
                 std::string(encap_ ? "yes" : "no") + "\n proposals = " + ike_ +
                 "\n"
                 " local { auth = psk\n id = 192.0.2.2 }\n remote { auth = psk\n id = 192.0.2.1 }\n"
                 " children { net { local_ts = 0.0.0.0/0\n remote_ts = 0.0.0.0/0\n"
                 " esp_proposals = " +
                 esp_ +
                 "\n start_action = none } } } }\n"
                 "secrets { ike-s2s { id-a = 192.0.2.1\n id-b = 192.0.2.2\n secret = \"" +
                 psk_ + "\" } }\n");
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
  return true;
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
