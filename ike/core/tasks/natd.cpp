// NAT detection (RFC 7296 2.23): NAT_DETECTION_SOURCE_IP / _DESTINATION_IP carry
// SHA-1(SPIi | SPIr | IP | Port); SPIr is zero in the IKE_SA_INIT request.

#include <openssl/evp.h>

#include "ike/core/tasks/tasks.hpp"

namespace vpnlab::ike {

Bytes natd_hash(IkeSpi spi_i, IkeSpi spi_r, const Endpoint& e) {
  Bytes in;
  ByteWriter w(in);
  w.u64(spi_i.value);
  w.u64(spi_r.value);
  w.u32(e.address.value);
  w.u16(e.port);
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned len = 0;
  EVP_Digest(in.data(), in.size(), out.data(), &len, EVP_sha1(), nullptr);
  out.resize(len);
  return out;
}

}  // namespace vpnlab::ike
