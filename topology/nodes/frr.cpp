// Starting, stopping and reading an FRR node. zebra and bgpd run in the foreground as
// children of the caller (each in its own process group, in plan.netns), with explicit
// paths for everything FRR would otherwise put in /run/frr, so nodes of several labs and
// the test suite's own bgpd coexist:
//   zebra -u root -g frrvty -f /dev/null -P 0 -i <zebra.pid> -z <zserv.api>
//         --vty_socket <frr.vty>                        stdout+stderr >> <zebra.log>
//   bgpd  -S -P 0 -f <frr.conf> -i <bgpd.pid> -z <zserv.api> --vty_socket <frr.vty>
//                                                       stdout+stderr >> <bgpd.log>
// (-P 0: no TCP vty; zebra has no -S, and root must run it in the vty group frrvty; in the
// foreground FRR logs to stdout, and --log file: would print every line twice.)
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "base/errors.hpp"
#include "topology/nodes/frr.hpp"
#include "topology/nodes/node_process.hpp"

namespace vpnlab::topology::nodes {
namespace {

std::string vty_dir(const NodePaths& p) {
  return p.file("frr.vty");
}

std::vector<std::string> zebra_argv(const NodePaths& p) {
  std::vector<std::string> argv = {kZebra, "-u", "root", "-g", "frrvty", "-f", "/dev/null"};
  argv.insert(argv.end(), {"-P", "0", "-i", p.file("zebra.pid"), "-z", p.file("zserv.api")});
  argv.insert(argv.end(), {"--vty_socket", vty_dir(p)});
  return argv;
}

std::vector<std::string> bgpd_argv(const NodePaths& p) {
  std::vector<std::string> argv = {kBgpd, "-S", "-P", "0", "-f", p.file("frr.conf")};
  argv.insert(argv.end(), {"-i", p.file("bgpd.pid"), "-z", p.file("zserv.api")});
  argv.insert(argv.end(), {"--vty_socket", vty_dir(p)});
  return argv;
}

Checked<std::string> vtysh(const NodePaths& p, const std::string& command) {
  return run_capture({"vtysh", "--vty_socket", vty_dir(p), "-d", "bgpd", "-c", command});
}

}  // namespace

Checked<int> start_frr(const GatewayPlan& plan, const NodePaths& paths) {
  const std::string config = frr_config(plan, paths);
  // `vpnlab up` on a lab that is up: a node running this very configuration stays as it is.
  pid_t running = daemon_pid(paths.file("bgpd.pid"), kBgpd, paths.file("frr.conf"));
  if (running && daemon_pid(paths.file("zebra.pid"), kZebra, paths.file("zserv.api")) &&
      read_text(paths.file("frr.conf")) == config)
    return static_cast<int>(running);
  stop_frr(paths);  // left over from an earlier run, or running an older configuration
  std::error_code ec;
  std::filesystem::create_directories(vty_dir(paths), ec);
  if (ec) return fail(ec, "cannot create " + vty_dir(paths));
  if (!write_text(paths.file("frr.conf"), config))
    return fail(make_error_code(errc::io_error), "cannot write " + paths.file("frr.conf"));
  auto zebra = start_daemon(plan.netns, zebra_argv(paths), paths.file("zebra.log"),
                            vty_dir(paths) + "/zebra.vty");
  if (!zebra) return Unexpected{zebra.error()};
  auto bgpd = start_daemon(plan.netns, bgpd_argv(paths), paths.file("bgpd.log"),
                           vty_dir(paths) + "/bgpd.vty");
  if (!bgpd) {
    stop_pid(*zebra);
    return Unexpected{bgpd.error()};
  }
  return static_cast<int>(*bgpd);
}

void stop_frr(const NodePaths& paths) {
  // bgpd first: it withdraws nothing from the kernel itself; zebra removes its routes
  // when it exits (no -r).
  if (pid_t pid = daemon_pid(paths.file("bgpd.pid"), kBgpd, paths.file("frr.conf"))) stop_pid(pid);
  if (pid_t pid = daemon_pid(paths.file("zebra.pid"), kZebra, paths.file("zserv.api")))
    stop_pid(pid);
  for (const char* f : {"bgpd.pid", "zebra.pid", "zserv.api"}) ::unlink(paths.file(f).c_str());
  for (const char* s : {"/bgpd.vty", "/zebra.vty"}) ::unlink((vty_dir(paths) + s).c_str());
}

nlohmann::json frr_bgp_status(const GatewayPlan& plan, const NodePaths& paths) {
  FrrShow show;
  auto neighbors = vtysh(paths, "show bgp neighbors json");
  auto routes = vtysh(paths, "show bgp ipv4 unicast json");
  if (!neighbors || !routes) {
    const auto& e = neighbors ? routes.error() : neighbors.error();
    return {{"implementation", "frr"},
            {"error", "bgpd does not answer: " + e.message},
            {"peers", nlohmann::json::array()},
            {"locRib", nlohmann::json::array()}};
  }
  show.neighbors = *neighbors;
  show.routes = *routes;
  for (const auto& n : plan.bgp_neighbors) {
    const std::string peer = n.peer.to_string();
    auto adv = vtysh(paths, "show bgp ipv4 unicast neighbors " + peer + " advertised-routes json");
    if (adv) show.advertised[peer] = *adv;
  }
  return frr_status_from(show, plan);
}

}  // namespace vpnlab::topology::nodes
