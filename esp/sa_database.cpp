#include "esp/sa_database.hpp"

#include "esp/errors.hpp"

namespace vpnlab::esp {

Result<void> SaDatabase::add(std::unique_ptr<InboundSa> sa) {
  const std::uint32_t spi = sa->spi().value;
  if (by_spi_.count(spi) != 0) return Unexpected{make_error_code(errc::spi_in_use)};
  by_spi_.emplace(spi, std::move(sa));
  return {};
}

std::unique_ptr<InboundSa> SaDatabase::remove(Spi spi) {
  auto it = by_spi_.find(spi.value);
  if (it == by_spi_.end()) return nullptr;
  auto sa = std::move(it->second);
  by_spi_.erase(it);
  return sa;
}

InboundSa* SaDatabase::find(Spi spi) const {
  auto it = by_spi_.find(spi.value);
  return it == by_spi_.end() ? nullptr : it->second.get();
}

DecapResult SaDatabase::decap(MutableByteSpan buf, std::size_t offset, std::size_t length) {
  if (offset > buf.size() || length > buf.size() - offset || length < kEspHeaderSize) {
    too_short_.add();
    return Unexpected{DropReason::too_short};
  }
  // RFC 4303 3.4.2: the SPI selects the SA; no SA means drop (and count, never log).
  InboundSa* sa = find(Spi{load_be32(buf.data() + offset)});
  if (!sa) {
    unknown_spi_.add();
    return Unexpected{DropReason::unknown_spi};
  }
  return sa->decap(buf, offset, length);
}

}  // namespace vpnlab::esp
