#pragma once
// Internal: access to intel-ipsec-mb (see crypto_backend.hpp). Built only when CMake found
// the library (VPNLAB_HAVE_IPSEC_MB); otherwise reference() is always null.
//
// Two kinds of manager:
//   reference()       one process-wide IMB_MGR, initialised once for this CPU, read only:
//                     its function pointers (GCM, key expansion, one-block hashes) are
//                     stateless and safe from any thread.
//   thread_manager()  the calling thread's own IMB_MGR for the job API (CBC + HMAC
//                     batches). A manager queues jobs, so it is not shared between threads;
//                     every batch is flushed before the call that submitted it returns, so
//                     no job outlives its call and SAs never see each other's state.

struct IMB_MGR;

namespace vpnlab::esp::imb {

/// Null when the library is absent or the CPU lacks AES-NI (its "no-AESNI" code is slower
/// than OpenSSL's, so it is not used).
const IMB_MGR* reference();
/// The calling thread's manager, created on first use (~200 KB); null as reference().
IMB_MGR* thread_manager();

}  // namespace vpnlab::esp::imb
