#include "cli/lab_source.hpp"

#include <cstdio>
#include <filesystem>
#include <regex>

#include "topology/validate.hpp"

namespace vpnlab::cli {

std::string self_exe() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "vpnlab" : p.string();
}

std::string run_dir(const std::string& lab_name) {
  return std::string(kRunDir) + "/" + lab_name;
}

std::optional<topology::Lab> load_valid_lab(const LabSource& src, bool quiet_warnings) {
  topology::LoadResult loaded;
  std::string shown = src.file;
  if (!src.file.empty()) {
    loaded = topology::load_lab_file(src.file);
  } else if (!src.lab_name.empty() &&
             std::filesystem::exists(run_dir(src.lab_name) + "/lab.yaml")) {
    shown = run_dir(src.lab_name) + "/lab.yaml";
    loaded = topology::load_lab_file(shown);
  } else {
    shown = "<default lab>";
    loaded = topology::load_default_lab();
    // --lab names one lab: never fall back to another (down --lab X must not take the
    // default lab down). The default lab itself needs no saved description.
    if (!src.lab_name.empty() && loaded.lab && loaded.lab->lab.name != src.lab_name) {
      std::fprintf(stderr,
                   "lab '%s' is not up: no description saved by `vpnlab up` at %s/lab.yaml "
                   "(give the lab file instead of --lab)\n",
                   src.lab_name.c_str(), run_dir(src.lab_name).c_str());
      return std::nullopt;
    }
  }
  topology::Diagnostics all = loaded.diagnostics;
  if (loaded.lab) {
    auto found = topology::validate(*loaded.lab);
    for (const auto& d : found.items()) all.add_at(d.severity, d.path, d.where, d.message);
  }
  if (!all.ok() || (!quiet_warnings && !all.items().empty())) {
    std::fputs(all.format(shown).c_str(), stderr);
  }
  if (!all.ok() || !loaded.lab) return std::nullopt;
  return std::move(*loaded.lab);
}

std::string redact_secrets(const std::string& yaml) {
  static const std::regex key(R"(((shared_key|pre_shared_key):\s*)[^\s#,}]+)");
  return std::regex_replace(yaml, key, "$1<redacted>");
}

}  // namespace vpnlab::cli
