#include "topology/drills/timeline_svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace vpnlab::topology::drills {
namespace {

constexpr double kWidth = 960, kHeight = 400;
constexpr double kLeft = 70, kRight = 20, kTop = 50, kBottom = 60;
constexpr double kPlotW = kWidth - kLeft - kRight, kPlotH = kHeight - kTop - kBottom;
constexpr double kAxisY = kTop + kPlotH / 2;  // a->b above, b->a below

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

struct Scale {
  double t0, t1;
  double x(double ms) const { return kLeft + (ms - t0) / (t1 - t0) * kPlotW; }
};

void bars(std::string& out, const DrillReport& r, const Scale& s, const DirectionLoss& d, bool up,
          const char* colour) {
  const double per_bucket = std::max(1.0, r.rate_pps * r.bucket_ms / 1000.0);
  for (std::size_t i = 0; i < d.lost_per_bucket.size(); ++i) {
    if (d.lost_per_bucket[i] == 0) continue;
    double share = std::min(1.0, d.lost_per_bucket[i] / per_bucket);
    double t = r.stream_start_ms + static_cast<double>(i) * r.bucket_ms;
    double x0 = s.x(t), x1 = s.x(std::min(t + r.bucket_ms, r.stream_end_ms));
    double h = share * (kPlotH / 2 - 4);
    out += "<rect x=\"" + num(x0) + "\" y=\"" + num(up ? kAxisY - h : kAxisY) + "\" width=\"" +
           num(std::max(1.0, x1 - x0)) + "\" height=\"" + num(h) + "\" fill=\"" + colour +
           "\"><title>" + std::to_string(d.lost_per_bucket[i]) + " lost at " + num(t / 1000) +
           " s</title></rect>\n";
  }
}

void marker(std::string& out, const Scale& s, double ms, const char* colour,
            const std::string& label, int row) {
  if (ms < s.t0 || ms > s.t1) return;
  double x = s.x(ms);
  out += "<line x1=\"" + num(x) + "\" y1=\"" + num(kTop) + "\" x2=\"" + num(x) + "\" y2=\"" +
         num(kTop + kPlotH) + "\" stroke=\"" + colour +
         "\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/>\n";
  out += "<text x=\"" + num(x + 3) + "\" y=\"" + num(kTop + 12 + 13 * row) + "\" fill=\"" + colour +
         "\" font-size=\"11\">" + escape(label) + "</text>\n";
}

void axes(std::string& out, const Scale& s) {
  out += "<rect x=\"" + num(kLeft) + "\" y=\"" + num(kTop) + "\" width=\"" + num(kPlotW) +
         "\" height=\"" + num(kPlotH) + "\" fill=\"none\" stroke=\"#999\"/>\n";
  out += "<line x1=\"" + num(kLeft) + "\" y1=\"" + num(kAxisY) + "\" x2=\"" + num(kLeft + kPlotW) +
         "\" y2=\"" + num(kAxisY) + "\" stroke=\"#333\"/>\n";
  // Ticks every 1, 2, 5, 10... seconds, about ten of them.
  double span_s = (s.t1 - s.t0) / 1000, step = 1;
  for (double c : {0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0}) {
    step = c;
    if (span_s / c <= 12) break;
  }
  for (double t = std::ceil(s.t0 / 1000 / step) * step; t * 1000 <= s.t1; t += step) {
    double x = s.x(t * 1000);
    out += "<line x1=\"" + num(x) + "\" y1=\"" + num(kTop + kPlotH) + "\" x2=\"" + num(x) +
           "\" y2=\"" + num(kTop + kPlotH + 5) + "\" stroke=\"#333\"/>\n";
    char label[32];
    std::snprintf(label, sizeof label, "%g", std::round(t * 10) / 10);
    out += "<text x=\"" + num(x) + "\" y=\"" + num(kTop + kPlotH + 18) +
           "\" font-size=\"11\" text-anchor=\"middle\">" + label + "</text>\n";
  }
  out += "<text x=\"" + num(kLeft + kPlotW / 2) + "\" y=\"" + num(kHeight - 22) +
         "\" font-size=\"12\" text-anchor=\"middle\">seconds after the fault</text>\n";
  for (auto [y, text] : {std::pair{kTop + 10, "100%"}, std::pair{kAxisY + 4, "0"},
                         std::pair{kTop + kPlotH, "100%"}}) {
    out += "<text x=\"" + num(kLeft - 6) + "\" y=\"" + num(y) +
           "\" font-size=\"11\" text-anchor=\"end\">" + text + "</text>\n";
  }
}

}  // namespace

std::string timeline_svg(const DrillReport& r) {
  Scale s{std::min(r.stream_start_ms, 0.0), std::max(r.stream_end_ms, 1.0)};
  if (s.t1 - s.t0 < 1) s.t1 = s.t0 + 1;
  std::string out =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(kWidth) + "\" height=\"" +
      num(kHeight) + "\" viewBox=\"0 0 " + num(kWidth) + " " + num(kHeight) +
      "\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  char title[512];
  std::snprintf(title, sizeof title, "vpnlab %s %s (lab %s, time factor %g): outage %.0f ms",
                r.command.c_str(), r.target.c_str(), r.lab.c_str(), r.time_factor, outage_ms(r));
  out += "<text x=\"" + num(kLeft) + "\" y=\"20\" font-size=\"14\" font-weight=\"bold\">" +
         escape(title) + "</text>\n";
  out += "<text x=\"" + num(kLeft) + "\" y=\"38\" font-size=\"11\">probes lost per " +
         std::to_string(r.bucket_ms) + " ms: <tspan fill=\"#1f77b4\">" + escape(r.probe_a) +
         " -&gt; " + escape(r.probe_b) + " (above)</tspan>, <tspan fill=\"#ff7f0e\">" +
         escape(r.probe_b) + " -&gt; " + escape(r.probe_a) + " (below)</tspan></text>\n";
  axes(out, s);
  bars(out, r, s, r.a_to_b, true, "#1f77b4");
  bars(out, r, s, r.b_to_a, false, "#ff7f0e");
  marker(out, s, 0, "#d62728", "fault", 0);
  if (r.detection)
    marker(out, s, r.detection->at_ms, "#9467bd", "detected: " + r.detection->mechanism, 1);
  if (r.heal_ms >= 0) marker(out, s, r.heal_ms, "#2ca02c", "heal", 2);
  if (r.recovered) marker(out, s, r.recovered_ms, "#17becf", "all back", 3);
  if (r.recovery_checked && !r.recovered) {
    out += "<text x=\"" + num(kLeft + kPlotW - 4) + "\" y=\"" + num(kTop + 14) +
           "\" fill=\"#d62728\" font-size=\"12\" text-anchor=\"end\">not back within " +
           num(r.wait_s) + " s</text>\n";
  }
  out += "</svg>\n";
  return out;
}

}  // namespace vpnlab::topology::drills
