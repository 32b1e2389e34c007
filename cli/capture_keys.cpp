#include "cli/capture_keys.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/errors.hpp"
#include "topology/control_client.hpp"

namespace vpnlab::cli {

void SasSeen::note(const dataplane::IpsecPacket& p) {
  switch (p.kind) {
    case dataplane::IpsecKind::esp: {
      ++esp_packets;
      auto& e = esp[p.esp_spi];
      e.src = p.src;
      e.dst = p.dst;
      ++e.packets;
      break;
    }
    case dataplane::IpsecKind::ike: {
      ++ike_packets;
      auto& i = ike[p.ike_spi_i];
      if (p.ike_spi_r != 0) i.first = p.ike_spi_r;
      i.second.insert(p.ike_exchange);
      break;
    }
    case dataplane::IpsecKind::nat_keepalive:
      ++keepalives;
      break;
    case dataplane::IpsecKind::other:
      break;
  }
}

Checked<void> KeyCollector::poll() {
  auto reply = topology::control_request(socket_, {{"command", "keys"}});
  if (!reply) return Unexpected{reply.error()};
  if (reply->contains("error")) {
    return fail(make_error_code(errc::unsupported),
                "gateway " + socket_ + ": " + (*reply)["error"].get<std::string>());
  }
  auto keys = topology::key_set_from_json(*reply);
  if (!keys) return Unexpected{keys.error()};
  all_.merge(*keys);
  return {};
}

topology::SaKeySet KeyCollector::select(const SasSeen& seen) const {
  topology::SaKeySet out;
  for (const auto& e : all_.esp) {
    if (seen.esp.count(e.spi) || (e.peer_spi && seen.esp.count(e.peer_spi))) {
      out.esp.push_back(e);
    }
  }
  for (const auto& i : all_.ike) {
    if (seen.ike.count(i.spi_i)) out.ike.push_back(i);
  }
  return out;
}

namespace {

Checked<void> write_secret_file(const std::string& path, const std::string& text) {
  auto sys = [&](const char* what) {
    int err = errno;
    return fail(errno_code(err), path + ": " + what + ": " + std::strerror(err));
  };
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return sys("open");
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::fchmod(fd, 0600) != 0) return sys("chmod 0600");  // it may have existed
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) return sys("write");
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Checked<void> make_private_dir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    int err = errno;
    return fail(errno_code(err), dir + ": mkdir: " + std::strerror(err));
  }
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return fail(make_error_code(errc::invalid_value), dir + ": exists and is not a directory");
  }
  if (::chmod(dir.c_str(), 0700) != 0) {
    int err = errno;
    return fail(errno_code(err), dir + ": chmod 0700: " + std::strerror(err));
  }
  return {};
}

constexpr const char* kHeader =
    "# Written by vpnlab capture. SECRET: SA keys of the captured IPsec traffic.\n";

// One table: the header, then one line per SA Wireshark can take (the others become notes).
template <typename Sa, typename Format>
std::string table(const std::vector<Sa>& sas, Format format, std::size_t& lines,
                  std::vector<std::string>& notes) {
  std::string text = kHeader;
  for (const auto& sa : sas) {
    auto line = format(sa);
    if (!line) {
      notes.push_back(line.error().message);
      continue;
    }
    text += *line + "\n";
    secure_wipe(line->data(), line->size());
    ++lines;
  }
  return text;
}

}  // namespace

Checked<KeyFilesWritten> write_key_files(const std::string& dir, const topology::SaKeySet& keys) {
  if (auto rc = make_private_dir(dir); !rc) return Unexpected{rc.error()};
  KeyFilesWritten w;
  std::string esp = table(keys.esp, topology::esp_sa_line, w.esp_lines, w.notes);
  std::string ike = table(keys.ike, topology::ikev2_line, w.ike_lines, w.notes);
  // packet-esp.c: ESP payloads are decrypted (and ICVs checked) only with these preferences
  // on; both default to off.
  std::string prefs =
      "# Written by vpnlab capture.\nesp.enable_encryption_decode: TRUE\n"
      "esp.enable_authentication_check: TRUE\n";
  auto rc = write_secret_file(dir + "/esp_sa", esp);
  if (rc) rc = write_secret_file(dir + "/ikev2_decryption_table", ike);
  if (rc) rc = write_secret_file(dir + "/preferences", prefs);
  secure_wipe(esp.data(), esp.size());
  secure_wipe(ike.data(), ike.size());
  if (!rc) return Unexpected{rc.error()};
  return w;
}

}  // namespace vpnlab::cli
