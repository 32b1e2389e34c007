// Starting, stopping and reading a BIRD node: bird runs in the foreground as a child of the
// caller (own process group, in plan.netns) with its own socket and PID file:
//   bird -f -c <bird.conf> -s <bird.ctl> -P <bird.pid>
#include <unistd.h>

#include <chrono>

#include "base/errors.hpp"
#include "topology/nodes/bird.hpp"
#include "topology/nodes/node_process.hpp"

namespace vpnlab::topology::nodes {
namespace {

Checked<std::string> birdc(const NodePaths& p, const std::string& command) {
  return run_capture({"birdc", "-s", p.file("bird.ctl"), command});
}

}  // namespace

Checked<int> start_bird(const GatewayPlan& plan, const NodePaths& paths) {
  const std::string config = bird_config(plan, paths);
  if (pid_t running = daemon_pid(paths.file("bird.pid"), kBird, paths.file("bird.conf"))) {
    // `vpnlab up` on a lab that is up: the same configuration stays; a changed one is
    // applied as BIRD does it (`configure`: only changed protocols restart).
    if (read_text(paths.file("bird.conf")) == config) return static_cast<int>(running);
    if (!write_text(paths.file("bird.conf"), config))
      return fail(make_error_code(errc::io_error), "cannot write " + paths.file("bird.conf"));
    auto done = birdc(paths, "configure");
    if (!done) return Unexpected{done.error()};
    if (done->find("Reconfigur") == std::string::npos)
      return fail(make_error_code(errc::invalid_value), "bird refused the new bird.conf: " + *done);
    return static_cast<int>(running);
  }
  stop_bird(paths);  // sockets and PID file left over from an earlier run
  if (!write_text(paths.file("bird.conf"), config))
    return fail(make_error_code(errc::io_error), "cannot write " + paths.file("bird.conf"));
  auto pid = start_daemon(plan.netns,
                          {kBird, "-f", "-c", paths.file("bird.conf"), "-s", paths.file("bird.ctl"),
                           "-P", paths.file("bird.pid")},
                          paths.file("bird.log"), paths.file("bird.ctl"));
  if (!pid) return Unexpected{pid.error()};
  return static_cast<int>(*pid);
}

void stop_bird(const NodePaths& paths) {
  if (pid_t pid = daemon_pid(paths.file("bird.pid"), kBird, paths.file("bird.conf"))) stop_pid(pid);
  for (const char* f : {"bird.pid", "bird.ctl"}) ::unlink(paths.file(f).c_str());
}

nlohmann::json bird_bgp_status(const GatewayPlan& plan, const NodePaths& paths) {
  auto protocols = birdc(paths, "show protocols all");
  auto routes = birdc(paths, "show route all");
  if (!protocols || !routes) {
    const auto& e = protocols ? routes.error() : protocols.error();
    return {{"implementation", "bird"},
            {"error", "bird does not answer: " + e.message},
            {"peers", nlohmann::json::array()},
            {"locRib", nlohmann::json::array()}};
  }
  BirdShow show{*protocols, *routes, {}};
  for (std::size_t i = 0; i < plan.bgp_neighbors.size(); ++i) {
    const std::string name = bird_protocol_name(plan, i);
    if (auto e = birdc(paths, "show route export " + name + " all")) show.exported[name] = *e;
  }
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return bird_status_from(show, plan,
                          std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

}  // namespace vpnlab::topology::nodes
