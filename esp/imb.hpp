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
//
// Wide and narrow: the AVX-512 manager hashes 16 packets side by side and a flush costs
// the same whether 1 or 16 lanes hold a packet (~8 us at 1400 bytes here), so a lone
// packet is 6x slower there than on the AVX2 manager, which hashes with SHA-NI two at a
// time; from 16 packets on the AVX-512 one is ~10 % faster (bench/esp: BM_EncapBatch).

struct IMB_MGR;

namespace vpnlab::esp::imb {

/// Null when the library is absent or the CPU lacks AES-NI (its "no-AESNI" code is slower
/// than OpenSSL's, so it is not used).
const IMB_MGR* reference();
/// Batches of at least this many packets go to the wide manager.
inline constexpr unsigned kWideBatch = 16;

/// The calling thread's manager for a batch of `jobs` packets, created on first use
/// (~200 KB each); null as reference().
IMB_MGR* thread_manager(unsigned jobs);

}  // namespace vpnlab::esp::imb
