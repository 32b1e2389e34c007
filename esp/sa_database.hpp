#pragma once
// Inbound SAs keyed by SPI (RFC 4303 3.4.2: the SPI alone selects the SA for unicast).
// The control plane builds a database and hands it to a worker (or swaps it in as a
// snapshot); lookups and decap() neither allocate nor lock. Not thread-safe: mutate it
// only while no worker uses it (build a new one and swap, as DESIGN.md describes).

#include <cstdint>
#include <memory>
#include <unordered_map>

#include "base/bytes.hpp"
#include "base/counters.hpp"
#include "base/result.hpp"
#include "esp/sa.hpp"

namespace vpnlab::esp {

class SaDatabase {
 public:
  /// Takes ownership of a non-null SA. Error: errc::spi_in_use.
  Result<void> add(std::unique_ptr<InboundSa> sa);
  /// Removes and returns the SA (nullptr when absent), e.g. to read its final counters.
  std::unique_ptr<InboundSa> remove(Spi spi);
  /// The SA for this SPI or nullptr; valid until it is removed.
  InboundSa* find(Spi spi) const;
  std::size_t size() const { return by_spi_.size(); }

  /// Reads the SPI of the ESP payload buf[offset, offset+length), finds the SA and
  /// decapsulates. Adds to InboundSa::decap's drops: too_short (fewer than 8 bytes) and
  /// unknown_spi, counted here (there is no SA to count them on).
  DecapResult decap(MutableByteSpan buf, std::size_t offset, std::size_t length);

  std::uint64_t unknown_spi_drops() const { return unknown_spi_.get(); }
  std::uint64_t too_short_drops() const { return too_short_.get(); }

 private:
  std::unordered_map<std::uint32_t, std::unique_ptr<InboundSa>> by_spi_;
  Counter unknown_spi_, too_short_;
};

}  // namespace vpnlab::esp
