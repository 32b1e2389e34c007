#include "dataplane/linux/pcapng_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/errors.hpp"

namespace vpnlab::dataplane::pcapng {
namespace {

// Option codes (draft-ietf-opsawg-pcapng 4.2, 4.3, 4.6, 4.4).
constexpr std::uint16_t kOptEnd = 0;
constexpr std::uint16_t kShbUserAppl = 4;
constexpr std::uint16_t kIfName = 2;
constexpr std::uint16_t kIfDescription = 3;
constexpr std::uint16_t kIfTsresol = 9;
constexpr std::uint16_t kEpbFlags = 2;
constexpr std::uint16_t kIsbIfRecv = 4;
constexpr std::uint16_t kIsbIfDrop = 5;

// Every block: type, total length, body, total length again (3.1); the body is padded to
// 32 bits. Fields are little-endian, as the SHB's byte-order magic announces.
class Block {
 public:
  explicit Block(std::uint32_t type) {
    u32(type);
    u32(0);  // total length, patched by finish()
  }
  void u16(std::uint16_t v) { put(v, 2); }
  void u32(std::uint32_t v) { put(v, 4); }
  void u64(std::uint64_t v) { put(v, 8); }
  /// Interface ID and a timestamp in the interface's units, high word first (4.3, 4.6).
  void interface_and_time(std::uint32_t interface_id, std::uint64_t t) {
    u32(interface_id);
    u32(static_cast<std::uint32_t>(t >> 32));
    u32(static_cast<std::uint32_t>(t));
  }
  void bytes(ByteSpan s) {
    out_.insert(out_.end(), s.begin(), s.end());
    pad();
  }
  /// An option: code, length, value padded to 32 bits (3.5).
  void option(std::uint16_t code, ByteSpan value) {
    has_options_ = true;
    u16(code);
    u16(static_cast<std::uint16_t>(value.size()));
    bytes(value);
  }
  void option(std::uint16_t code, const std::string& text) {
    option(code, ByteSpan(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  }
  void option_u64(std::uint16_t code, std::uint64_t v) {
    has_options_ = true;
    u16(code);
    u16(8);
    u64(v);
  }
  Bytes finish() {
    if (has_options_) u32(kOptEnd);  // opt_endofopt: code 0, length 0
    auto total = static_cast<std::uint32_t>(out_.size() + 4);
    u32(total);
    for (int i = 0; i < 4; ++i) out_[4 + i] = static_cast<std::uint8_t>(total >> (8 * i));
    return std::move(out_);
  }

 private:
  void put(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void pad() {
    while (out_.size() % 4 != 0) out_.push_back(0);
  }
  Bytes out_;
  bool has_options_ = false;
};

}  // namespace

Bytes encode_section_header(const std::string& application) {
  Block b(kBlockShb);
  b.u32(kByteOrderMagic);
  b.u16(1);                  // major version
  b.u16(0);                  // minor version
  b.u64(~std::uint64_t{0});  // section length: not specified (-1)
  if (!application.empty()) b.option(kShbUserAppl, application);
  return b.finish();
}

Bytes encode_interface(const Interface& iface) {
  Block b(kBlockIdb);
  b.u16(iface.link_type);
  b.u16(0);  // reserved
  b.u32(iface.snaplen);
  if (!iface.name.empty()) b.option(kIfName, iface.name);
  if (!iface.description.empty()) b.option(kIfDescription, iface.description);
  const std::uint8_t nanoseconds[] = {9};  // if_tsresol: 10^-9 s
  b.option(kIfTsresol, nanoseconds);
  return b.finish();
}

Bytes encode_packet(const Packet& p) {
  Block b(kBlockEpb);
  b.interface_and_time(p.interface_id, p.timestamp_ns);
  b.u32(static_cast<std::uint32_t>(p.data.size()));
  b.u32(p.original_length);
  b.bytes(p.data);
  if (p.direction != Direction::unknown) {
    // epb_flags bits 0-1: 01 inbound, 10 outbound (4.3.1).
    std::uint8_t flags[4] = {static_cast<std::uint8_t>(p.direction), 0, 0, 0};
    b.option(kEpbFlags, flags);
  }
  return b.finish();
}

Bytes encode_statistics(const Statistics& s) {
  Block b(kBlockIsb);
  b.interface_and_time(s.interface_id, s.timestamp_ns);
  b.option_u64(kIsbIfRecv, s.received);
  b.option_u64(kIsbIfDrop, s.dropped);
  return b.finish();
}

Checked<Writer> Writer::create(const std::string& path, mode_t mode,
                               const std::string& application) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    int err = errno;
    return fail(errno_code(err), "capture file " + path + ": " + std::strerror(err));
  }
  std::FILE* f = ::fdopen(fd, "wb");
  if (!f) {
    int err = errno;
    ::close(fd);
    return fail(errno_code(err), "capture file " + path + ": " + std::strerror(err));
  }
  Writer w(f, path);
  if (auto rc = w.put(encode_section_header(application)); !rc) return Unexpected{rc.error()};
  return w;
}

Writer::~Writer() {
  if (file_) std::fclose(file_);
}

Checked<void> Writer::put(const Bytes& block) {
  if (!file_) return fail(make_error_code(errc::io_error), "capture file " + path_ + ": closed");
  if (std::fwrite(block.data(), 1, block.size(), file_) != block.size()) {
    int err = errno;
    return fail(errno_code(err), "capture file " + path_ + ": write: " + std::strerror(err));
  }
  return {};
}

Checked<std::uint32_t> Writer::add_interface(const Interface& iface) {
  if (auto rc = put(encode_interface(iface)); !rc) return Unexpected{rc.error()};
  return interfaces_++;
}

Checked<void> Writer::write(const Packet& packet) {
  return put(encode_packet(packet));
}

Checked<void> Writer::write(const Statistics& stats) {
  return put(encode_statistics(stats));
}

Checked<void> Writer::close() {
  if (!file_) return {};
  std::FILE* f = file_;
  file_ = nullptr;
  if (std::fclose(f) != 0) {
    int err = errno;
    return fail(errno_code(err), "capture file " + path_ + ": close: " + std::strerror(err));
  }
  return {};
}

}  // namespace vpnlab::dataplane::pcapng
