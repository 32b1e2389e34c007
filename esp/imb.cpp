#include "esp/imb.hpp"

#ifdef VPNLAB_HAVE_IPSEC_MB
#include <intel-ipsec-mb.h>

#include <memory>

namespace vpnlab::esp::imb {

namespace {

struct MgrDeleter {
  void operator()(IMB_MGR* m) const { free_mb_mgr(m); }
};
using MgrPtr = std::unique_ptr<IMB_MGR, MgrDeleter>;

// A manager initialised for the widest code path this CPU runs or, when !wide, for at most
// AVX2 (see imb.hpp); null when the CPU lacks AES-NI.
MgrPtr make_manager(bool wide) {
  MgrPtr m(alloc_mb_mgr(0));
  if (!m) return nullptr;
  IMB_ARCH arch = IMB_ARCH_NONE;
  init_mb_mgr_auto(m.get(), &arch);
  if (arch < IMB_ARCH_SSE || imb_get_errno(m.get()) != 0) return nullptr;
  if (!wide && arch > IMB_ARCH_AVX2) {
    init_mb_mgr_avx2(m.get());
    if (imb_get_errno(m.get()) != 0) return nullptr;
  }
  return m;
}

}  // namespace

const IMB_MGR* reference() {
  static const MgrPtr mgr = make_manager(true);  // thread-safe one-time init
  return mgr.get();
}

IMB_MGR* thread_manager(unsigned jobs) {
  if (reference() == nullptr) return nullptr;
  if (jobs >= kWideBatch) {
    thread_local const MgrPtr wide = make_manager(true);
    return wide.get();
  }
  thread_local const MgrPtr narrow = make_manager(false);
  return narrow.get();
}

}  // namespace vpnlab::esp::imb

#else

namespace vpnlab::esp::imb {
const IMB_MGR* reference() {
  return nullptr;
}
IMB_MGR* thread_manager() {
  return nullptr;
}
}  // namespace vpnlab::esp::imb

#endif
