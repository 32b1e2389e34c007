#include "topology/drills/impairment.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "base/errors.hpp"
#include "topology/interop/process.hpp"

namespace vpnlab::topology::drills {
namespace {

Error bad(const std::string& option, const std::string& value, const std::string& want) {
  return {make_error_code(errc::invalid_value), "--" + option + " " + value + ": expected " + want};
}

// "150ms", "0.2s", "150" (ms) -> milliseconds.
Checked<std::chrono::milliseconds> parse_duration(const std::string& option,
                                                  const std::string& text) {
  if (text.empty()) return std::chrono::milliseconds(0);
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  std::string unit(end);
  double ms = unit == "s" ? v * 1000 : (unit == "ms" || unit.empty()) ? v : -1;
  if (end == text.c_str() || ms < 0 || ms > 60000)
    return Unexpected{bad(option, text, "a duration such as 150ms or 0.2s, at most 60 s")};
  return std::chrono::milliseconds(static_cast<long>(std::lround(ms)));
}

Checked<std::uint64_t> parse_rate(const std::string& text) {
  if (text.empty()) return std::uint64_t{0};
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  std::string unit(end);
  double kbit = unit == "kbit" ? v : unit == "mbit" ? v * 1000 : unit == "gbit" ? v * 1e6 : -1;
  if (end == text.c_str() || kbit < 8 || kbit > 100e6)
    return Unexpected{
        bad("rate", text, "a rate such as 100mbit (kbit, mbit, gbit; 8kbit-100gbit)")};
  return static_cast<std::uint64_t>(kbit);
}

std::string ms_text(std::chrono::milliseconds d) {
  return std::to_string(d.count()) + "ms";
}

std::string find_program(const std::string& name) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/sbin:/sbin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t colon = path.find(':', start);
    std::string dir = path.substr(start, colon - start);
    if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0) return dir + "/" + name;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return name;
}

Checked<void> run(std::vector<std::string> argv, const std::string& what) {
  std::string shown;
  for (const auto& a : argv) shown += (shown.empty() ? "" : " ") + a;
  argv[0] = find_program(argv[0]);
  auto r = interop::run_process(argv);
  if (r.status == 0) return {};
  std::string why = r.output;
  while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
  if (why.find("qdisc kind is unknown") != std::string::npos && shown.find("netem") != shown.npos)
    why += " (this kernel has no sch_netem: --delay/--jitter cannot be emulated here)";
  return fail(make_error_code(errc::io_error), what + ": `" + shown + "` failed: " + why);
}

// A command line split at spaces (no argument here holds one; nft joins its argv again).
std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < line.size()) {
    std::size_t end = line.find(' ', at);
    if (end == std::string::npos) end = line.size();
    if (end > at) out.push_back(line.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

std::string table(const TunnelPath& p) {
  return "vpnlab_drill_" + p.tunnel;
}

}  // namespace

std::string Impairment::describe() const {
  if (down) return "down (every packet of the tunnel dropped)";
  std::string out;
  auto add = [&out](const std::string& s) { out += (out.empty() ? "" : ", ") + s; };
  char buf[64];
  if (loss_percent > 0) {
    std::snprintf(buf, sizeof buf, "loss %g%%", loss_percent);
    add(buf);
  }
  if (delay.count() > 0) {
    add("delay " + std::to_string(delay.count()) + " ms" +
        (jitter.count() ? " +- " + std::to_string(jitter.count()) + " ms" : ""));
  }
  if (rate_kbit > 0) {
    std::snprintf(buf, sizeof buf, "rate %g Mbit/s", static_cast<double>(rate_kbit) / 1000);
    add(buf);
  }
  return out.empty() ? "none" : out;
}

Checked<Impairment> parse_impairment(const std::string& loss, const std::string& delay,
                                     const std::string& jitter, const std::string& rate,
                                     bool down) {
  Impairment i;
  i.down = down;
  if (!loss.empty()) {
    char* end = nullptr;
    double v = std::strtod(loss.c_str(), &end);
    std::string unit(end);
    if (end == loss.c_str() || !(unit == "%" || unit.empty()) || v < 0 || v > 100)
      return Unexpected{bad("loss", loss, "a percentage 0-100 such as 5%")};
    i.loss_percent = v;
  }
  auto d = parse_duration("delay", delay);
  if (!d) return Unexpected{d.error()};
  auto j = parse_duration("jitter", jitter);
  if (!j) return Unexpected{j.error()};
  auto r = parse_rate(rate);
  if (!r) return Unexpected{r.error()};
  i.delay = *d;
  i.jitter = *j;
  i.rate_kbit = *r;
  if (i.jitter > i.delay)
    return Unexpected{bad("jitter", jitter, "at most the --delay (" + ms_text(i.delay) + ")")};
  if (i.empty()) {
    return Unexpected{Error{make_error_code(errc::invalid_value),
                            "a path impairment needs --loss, --delay, --rate or --down"}};
  }
  return i;
}

// Per port: an HTB root whose default class 1:1 carries everything else unshaped, and class
// 1:<minor> for the tunnel's pair in that direction (rate, then a netem leaf for delay).
std::vector<std::vector<std::string>> tc_install_args(const TunnelPath& p, const Impairment& i) {
  std::vector<std::vector<std::string>> out;
  if (!i.needs_tc()) return out;
  const std::string minor = std::to_string(p.class_minor);
  const std::string rate = i.rate_kbit ? std::to_string(i.rate_kbit) + "kbit" : "10gbit";
  struct Dir {
    const std::string& port;
    Ipv4Address from, to;
  };
  for (const Dir& d : {Dir{p.port_toward_aws, p.azure_outside, p.aws_outside},
                       Dir{p.port_toward_azure, p.aws_outside, p.azure_outside}}) {
    const std::string dev = " dev " + d.port + " ";
    out.push_back(words("qdisc add" + dev + "root handle 1: htb default 1"));
    out.push_back(words("class add" + dev + "parent 1: classid 1:1 htb rate 10gbit quantum 60000"));
    out.push_back(words("class add" + dev + "parent 1: classid 1:" + minor + " htb rate " + rate +
                        " ceil " + rate + " quantum 60000"));
    if (i.delay.count() > 0) {
      out.push_back(words("qdisc add" + dev + "parent 1:" + minor + " handle " + minor +
                          ": netem delay " + ms_text(i.delay) +
                          (i.jitter.count() ? " " + ms_text(i.jitter) : "")));
    }
    out.push_back(words("filter add" + dev + "parent 1: protocol ip prio 1 u32 match ip src " +
                        d.from.to_string() + "/32 match ip dst " + d.to.to_string() +
                        "/32 flowid 1:" + minor));
  }
  return out;
}

std::vector<std::vector<std::string>> tc_remove_args(const TunnelPath& p) {
  return {words("qdisc del dev " + p.port_toward_aws + " root"),
          words("qdisc del dev " + p.port_toward_azure + " root")};
}

std::vector<std::vector<std::string>> nft_install_args(const TunnelPath& p, const Impairment& i) {
  if (!i.down && i.loss_percent <= 0) return {};
  const std::string pair =
      "{ " + p.azure_outside.to_string() + ", " + p.aws_outside.to_string() + " }";
  std::string rule = "add rule ip " + table(p) + " forward ip saddr " + pair + " ip daddr " + pair;
  // Loss in hundredths of a percent: numgen draws 0..9999 per packet.
  if (!i.down)
    rule += " numgen random mod 10000 < " + std::to_string(std::lround(i.loss_percent * 100));
  return {words("add table ip " + table(p)),
          words("add chain ip " + table(p) +
                " forward { type filter hook forward priority 0 ; policy accept ; }"),
          words(rule + " counter drop")};
}

std::vector<std::vector<std::string>> nft_remove_args(const TunnelPath& p) {
  return {words("delete table ip " + table(p))};
}

Checked<void> apply_impairment(const TunnelPath& p, const Impairment& i) {
  for (const auto& args : tc_install_args(p, i)) {
    std::vector<std::string> argv = {"tc", "-n", p.router_netns};
    argv.insert(argv.end(), args.begin(), args.end());
    if (auto rc = run(argv, "impair " + p.tunnel); !rc) {
      (void)remove_impairment(p, i);
      return rc;
    }
  }
  for (const auto& args : nft_install_args(p, i)) {
    std::vector<std::string> argv = {"ip", "netns", "exec", p.router_netns, "nft"};
    argv.insert(argv.end(), args.begin(), args.end());
    if (auto rc = run(argv, "impair " + p.tunnel); !rc) {
      (void)remove_impairment(p, i);
      return rc;
    }
  }
  return {};
}

Checked<void> remove_impairment(const TunnelPath& p, const Impairment& i) {
  std::string errors;
  if (i.needs_tc()) {
    for (const auto& args : tc_remove_args(p)) {
      std::vector<std::string> argv = {"tc", "-n", p.router_netns};
      argv.insert(argv.end(), args.begin(), args.end());
      (void)run(argv, "heal");  // a port without the qdisc: nothing to remove
    }
  }
  if (i.down || i.loss_percent > 0) {
    for (const auto& args : nft_remove_args(p)) {
      std::vector<std::string> argv = {"ip", "netns", "exec", p.router_netns, "nft"};
      argv.insert(argv.end(), args.begin(), args.end());
      if (auto rc = run(argv, "heal " + p.tunnel); !rc) errors = rc.error().message;
    }
  }
  if (!errors.empty()) return fail(make_error_code(errc::io_error), errors);
  return {};
}

}  // namespace vpnlab::topology::drills
