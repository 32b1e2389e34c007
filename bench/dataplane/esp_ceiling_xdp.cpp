#include "bench/dataplane/esp_ceiling_xdp.hpp"

#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "base/errors.hpp"
#include "dataplane/linux/esp_frame.hpp"

namespace vpnlab::bench {
namespace {

constexpr std::uint32_t kFrames = 4096, kFrameSize = 2048, kEthHeader = 14;

Unexpected<Error> sys_fail(const std::string& what) {
  int err = errno;
  return fail(errno_code(err), "AF_XDP: " + what + ": " + std::strerror(err));
}

long bpf(int cmd, bpf_attr& attr) {
  return syscall(SYS_bpf, cmd, &attr, sizeof attr);
}

// BPF instruction builders (the kernel's filter.h macros, which uapi does not export).
bpf_insn insn(std::uint8_t code, std::uint8_t dst, std::uint8_t src, std::int16_t off,
              std::int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}

// The program, over struct xdp_md (data, data_end, data_meta, ingress_ifindex,
// rx_queue_index: u32 each):
//   if frame < 34 bytes or ethertype != IPv4 or protocol != 50: return XDP_PASS
//   return bpf_redirect_map(xskmap, ctx->rx_queue_index, XDP_PASS)  (flags: the action
//   when the map has no socket at that index)
std::vector<bpf_insn> program(int map_fd) {
  const std::uint8_t ldx_w = BPF_LDX | BPF_MEM | BPF_W, ldx_h = BPF_LDX | BPF_MEM | BPF_H,
                     ldx_b = BPF_LDX | BPF_MEM | BPF_B;
  std::vector<bpf_insn> p = {
      insn(ldx_w, 2, 1, 0, 0),                           // 0  r2 = data
      insn(ldx_w, 3, 1, 4, 0),                           // 1  r3 = data_end
      insn(BPF_ALU64 | BPF_MOV | BPF_X, 4, 2, 0, 0),     // 2  r4 = r2
      insn(BPF_ALU64 | BPF_ADD | BPF_K, 4, 0, 0, 34),    // 3  r4 += 14 + 20
      insn(BPF_JMP | BPF_JGT | BPF_X, 4, 3, 10, 0),      // 4  if r4 > r3 goto 15
      insn(ldx_h, 5, 2, 12, 0),                          // 5  r5 = ethertype (as stored)
      insn(BPF_JMP | BPF_JNE | BPF_K, 5, 0, 8, 0x0008),  // 6  if != htons(0x0800) goto 15
      insn(ldx_b, 5, 2, 23, 0),                          // 7  r5 = IPv4 protocol
      insn(BPF_JMP | BPF_JNE | BPF_K, 5, 0, 6, 50),      // 8  if != ESP goto 15
      insn(ldx_w, 2, 1, 16, 0),                          // 9  r2 = rx_queue_index
      insn(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, map_fd),  // 10 r1 = map
      insn(0, 0, 0, 0, 0),                                               // 11 (its upper half)
      insn(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, XDP_PASS),              // 12 r3 = XDP_PASS
      insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_redirect_map),          // 13
      insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),                              // 14 return r0
      insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, XDP_PASS),              // 15 r0 = XDP_PASS
      insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),                              // 16
  };
  return p;
}

template <typename T>
std::uint64_t ptr(T* p) {
  return reinterpret_cast<std::uintptr_t>(p);
}

}  // namespace

Checked<XskReceiver> XskReceiver::open(const std::string& dev) {
  XskReceiver x;
  if (auto r = x.setup(dev); !r) return Unexpected{r.error()};
  return x;
}

XskReceiver::XskReceiver(XskReceiver&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)),
      map_fd_(std::exchange(o.map_fd_, -1)),
      prog_fd_(std::exchange(o.prog_fd_, -1)),
      link_fd_(std::exchange(o.link_fd_, -1)),
      umem_(std::exchange(o.umem_, nullptr)),
      rx_(std::exchange(o.rx_, Ring{})),
      fill_(std::exchange(o.fill_, Ring{})),
      malformed_(o.malformed_) {}

XskReceiver::~XskReceiver() {
  for (int fd : {link_fd_, prog_fd_, map_fd_, fd_}) {
    if (fd >= 0) ::close(fd);  // the link first: the program leaves the device with it
  }
  for (Ring* r : {&rx_, &fill_}) {
    if (r->map != nullptr) ::munmap(r->map, r->map_len);
  }
  if (umem_ != nullptr) ::munmap(umem_, std::size_t{kFrames} * kFrameSize);
}

Checked<void> XskReceiver::setup(const std::string& dev) {
  int ifindex = static_cast<int>(if_nametoindex(dev.c_str()));
  if (ifindex == 0) return sys_fail("no device " + dev);
  fd_ = ::socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return sys_fail("socket");
  void* m = ::mmap(nullptr, std::size_t{kFrames} * kFrameSize, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) return sys_fail("UMEM mmap");
  umem_ = static_cast<std::uint8_t*>(m);
  xdp_umem_reg reg{};
  reg.addr = ptr(umem_);
  reg.len = std::uint64_t{kFrames} * kFrameSize;
  reg.chunk_size = kFrameSize;
  if (::setsockopt(fd_, SOL_XDP, XDP_UMEM_REG, &reg, sizeof reg) < 0) return sys_fail("UMEM_REG");
  std::uint32_t n = kFrames;
  for (int opt : {XDP_UMEM_FILL_RING, XDP_UMEM_COMPLETION_RING, XDP_RX_RING}) {
    if (::setsockopt(fd_, SOL_XDP, opt, &n, sizeof n) < 0) return sys_fail("ring size");
  }
  if (auto r = map_rings(); !r) return r;
  for (std::uint32_t i = 0; i < kFrames; ++i) refill(std::uint64_t{i} * kFrameSize);
  sockaddr_xdp a{};
  a.sxdp_family = AF_XDP;
  a.sxdp_ifindex = static_cast<std::uint32_t>(ifindex);
  a.sxdp_queue_id = 0;
  a.sxdp_flags = XDP_COPY;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) return sys_fail("bind XDP_COPY");
  return attach(ifindex);
}

Checked<void> XskReceiver::map_rings() {
  xdp_mmap_offsets off{};
  socklen_t len = sizeof off;
  if (::getsockopt(fd_, SOL_XDP, XDP_MMAP_OFFSETS, &off, &len) < 0) return sys_fail("offsets");
  auto map = [&](Ring& r, const xdp_ring_offset& o, std::size_t desc_size, off_t pgoff) -> bool {
    r.map_len = o.desc + kFrames * desc_size;
    void* m =
        ::mmap(nullptr, r.map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_, pgoff);
    if (m == MAP_FAILED) return false;
    auto* b = static_cast<std::uint8_t*>(m);
    r.map = m;
    r.producer = reinterpret_cast<std::uint32_t*>(b + o.producer);
    r.consumer = reinterpret_cast<std::uint32_t*>(b + o.consumer);
    r.desc = b + o.desc;
    r.mask = kFrames - 1;
    return true;
  };
  if (!map(rx_, off.rx, sizeof(xdp_desc), XDP_PGOFF_RX_RING)) return sys_fail("mmap RX ring");
  if (!map(fill_, off.fr, sizeof(std::uint64_t), XDP_UMEM_PGOFF_FILL_RING)) {
    return sys_fail("mmap fill ring");
  }
  return {};
}

Checked<void> XskReceiver::attach(int ifindex) {
  bpf_attr attr{};
  attr.map_type = BPF_MAP_TYPE_XSKMAP;
  attr.key_size = 4;
  attr.value_size = 4;
  attr.max_entries = 1;
  map_fd_ = static_cast<int>(bpf(BPF_MAP_CREATE, attr));
  if (map_fd_ < 0) return sys_fail("BPF_MAP_CREATE XSKMAP");
  auto insns = program(map_fd_);
  static char log[4096];
  static const char license[] = "GPL";
  attr = bpf_attr{};
  attr.prog_type = BPF_PROG_TYPE_XDP;
  attr.insns = ptr(insns.data());
  attr.insn_cnt = static_cast<std::uint32_t>(insns.size());
  attr.license = ptr(license);
  attr.log_buf = ptr(log);
  attr.log_size = sizeof log;
  attr.log_level = 1;
  prog_fd_ = static_cast<int>(bpf(BPF_PROG_LOAD, attr));
  if (prog_fd_ < 0) return sys_fail(std::string("BPF_PROG_LOAD (verifier: ") + log + ")");
  std::uint32_t key = 0, value = static_cast<std::uint32_t>(fd_);
  attr = bpf_attr{};
  attr.map_fd = static_cast<std::uint32_t>(map_fd_);
  attr.key = ptr(&key);
  attr.value = ptr(&value);
  if (bpf(BPF_MAP_UPDATE_ELEM, attr) < 0) return sys_fail("XSKMAP update");
  attr = bpf_attr{};
  attr.link_create.prog_fd = static_cast<std::uint32_t>(prog_fd_);
  attr.link_create.target_ifindex = static_cast<std::uint32_t>(ifindex);
  attr.link_create.attach_type = BPF_XDP;
  attr.link_create.flags = XDP_FLAGS_DRV_MODE;
  link_fd_ = static_cast<int>(bpf(BPF_LINK_CREATE, attr));
  if (link_fd_ < 0) return sys_fail("BPF_LINK_CREATE (native XDP)");
  return {};
}

void XskReceiver::refill(std::uint64_t addr) {
  std::uint32_t prod = *fill_.producer;  // only we write it
  static_cast<std::uint64_t*>(fill_.desc)[prod & fill_.mask] = addr;
  __atomic_store_n(fill_.producer, prod + 1, __ATOMIC_RELEASE);
}

std::size_t XskReceiver::read(std::size_t max, dataplane::PacketPool& pool) {
  const std::uint32_t cons = *rx_.consumer;
  const std::uint32_t avail = __atomic_load_n(rx_.producer, __ATOMIC_ACQUIRE) - cons;
  const std::uint32_t n = avail < max ? avail : static_cast<std::uint32_t>(max);
  std::size_t taken = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    const xdp_desc& d = static_cast<const xdp_desc*>(rx_.desc)[(cons + i) & rx_.mask];
    std::span<const std::uint8_t> frame(umem_ + d.addr, d.len);
    auto parsed = d.len > kEthHeader ? dataplane::parse_esp_frame(frame.subspan(kEthHeader))
                                     : dataplane::EspFrameResult{};
    dataplane::PooledPacket p = parsed.frame ? pool.acquire() : dataplane::PooledPacket{};
    if (p && parsed.frame->payload_len <= p->writable().size()) {
      std::memcpy(p->writable().data(), frame.data() + kEthHeader + parsed.frame->header_len,
                  parsed.frame->payload_len);
      p->set_size(parsed.frame->payload_len);
      ++taken;
    } else {
      ++malformed_;
    }
    refill(d.addr & ~std::uint64_t{kFrameSize - 1});
  }
  __atomic_store_n(rx_.consumer, cons + n, __ATOMIC_RELEASE);
  return taken;
}

}  // namespace vpnlab::bench
