#include "topology/drills/fault_record.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/errors.hpp"
#include "topology/nodes/node_process.hpp"
#include "topology/nodes/private_file.hpp"

namespace vpnlab::topology::drills {

std::string faults_path(const RunPaths& paths) {
  return paths.dir + "/faults.json";
}

Checked<std::vector<ActiveFault>> load_faults(const RunPaths& paths, const LabPlan& plan) {
  std::vector<ActiveFault> out;
  std::string text = nodes::read_text(faults_path(paths));
  if (text.empty()) return out;
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) {
    return fail(make_error_code(errc::invalid_value), faults_path(paths) + ": not a JSON array");
  }
  for (const auto& j : doc) {
    auto target = parse_target(j.value("target", ""), plan);
    if (!target) {
      return fail(target.error().code, faults_path(paths) + ": " + target.error().message);
    }
    ActiveFault f;
    f.target = *target;
    f.pid = j.value("pid", 0);
    f.since = j.value("since", "");
    f.impairment.loss_percent = j.value("loss_percent", 0.0);
    f.impairment.delay = std::chrono::milliseconds(j.value("delay_ms", 0));
    f.impairment.jitter = std::chrono::milliseconds(j.value("jitter_ms", 0));
    f.impairment.rate_kbit = j.value("rate_kbit", std::uint64_t{0});
    f.impairment.down = j.value("down", false);
    out.push_back(f);
  }
  return out;
}

Checked<void> save_faults(const RunPaths& paths, const std::vector<ActiveFault>& faults) {
  if (faults.empty()) {
    std::remove(faults_path(paths).c_str());
    return {};
  }
  nlohmann::json doc = nlohmann::json::array();
  for (const auto& f : faults) {
    doc.push_back({{"target", f.target.spec},
                   {"pid", f.pid},
                   {"since", f.since},
                   {"loss_percent", f.impairment.loss_percent},
                   {"delay_ms", f.impairment.delay.count()},
                   {"jitter_ms", f.impairment.jitter.count()},
                   {"rate_kbit", f.impairment.rate_kbit},
                   {"down", f.impairment.down}});
  }
  if (!nodes::write_private(faults_path(paths), doc.dump(2) + "\n"))
    return fail(make_error_code(errc::io_error), "cannot write " + faults_path(paths));
  return {};
}

}  // namespace vpnlab::topology::drills
