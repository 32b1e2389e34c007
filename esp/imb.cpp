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

// A manager initialised for the best code path this CPU runs, or null.
MgrPtr make_manager() {
  MgrPtr m(alloc_mb_mgr(0));
  if (!m) return nullptr;
  IMB_ARCH arch = IMB_ARCH_NONE;
  init_mb_mgr_auto(m.get(), &arch);
  if (arch < IMB_ARCH_SSE || imb_get_errno(m.get()) != 0) return nullptr;
  return m;
}

}  // namespace

const IMB_MGR* reference() {
  static const MgrPtr mgr = make_manager();  // thread-safe one-time init
  return mgr.get();
}

IMB_MGR* thread_manager() {
  if (reference() == nullptr) return nullptr;
  thread_local const MgrPtr mgr = make_manager();
  return mgr.get();
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
