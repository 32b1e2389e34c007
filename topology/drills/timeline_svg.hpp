#pragma once
// A drill's timeline as one self-contained SVG (`vpnlab fail --svg FILE.svg`): the share of
// probes lost per time bucket, one direction above the time axis and the other below it, with
// the fault, the detection, the heal and the recovery marked as vertical lines, so the outage
// is seen at a glance. No scripts, no external fonts or styles.
#include <string>

#include "topology/drills/report.hpp"

namespace vpnlab::topology::drills {

std::string timeline_svg(const DrillReport& r);

}  // namespace vpnlab::topology::drills
