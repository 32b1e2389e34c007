#pragma once
// PrefixMap<V>: an open-addressing hash table keyed by an IPv4 prefix, for per-prefix tables
// of 10^5..10^6 entries (a full table from a peer). One flat array of slots, each the packed
// prefix (address + length, 5 bytes) next to its value: no node or pointer per entry, which a
// std::map spends ~64-88 bytes on. Linear probing with a 7/8 load ceiling; erase shifts the
// following entries back (no tombstones), so lookups never slow down after withdrawals.
// Iteration order is unspecified (callers sort where they show routes).
//
// Pointers and references to values are invalidated by any insert or erase.

#include <cstdint>
#include <memory>
#include <utility>

#include "base/ip.hpp"

namespace vpnlab::bgp {

template <typename V>
class PrefixMap {
 public:
  PrefixMap() = default;
  PrefixMap(PrefixMap&&) noexcept = default;
  PrefixMap& operator=(PrefixMap&&) noexcept = default;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  /// Slots allocated (for memory accounting and tests).
  std::size_t capacity() const { return mask_ ? mask_ + 1 : 0; }

  V* find(const Ipv4Prefix& p) {
    std::size_t i = locate(p);
    return i == kNone ? nullptr : &slots_[i].value;
  }
  const V* find(const Ipv4Prefix& p) const { return const_cast<PrefixMap*>(this)->find(p); }

  /// The value for p, default-constructed if absent (inserted = true then).
  V& get_or_insert(const Ipv4Prefix& p, bool* inserted = nullptr) {
    if (std::size_t i = locate(p); i != kNone) {
      if (inserted) *inserted = false;
      return slots_[i].value;
    }
    if ((size_ + 1) * 8 > capacity() * 7) grow();
    std::size_t i = home(p);
    while (slots_[i].length != kEmpty) i = (i + 1) & mask_;
    slots_[i].address = p.network().value;
    slots_[i].length = p.length;
    ++size_;
    if (inserted) *inserted = true;
    return slots_[i].value;
  }

  bool erase(const Ipv4Prefix& p) {
    std::size_t hole = locate(p);
    if (hole == kNone) return false;
    // Backward-shift deletion: move later entries of the probe run into the hole when
    // their home slot does not lie (cyclically) between the hole and where they are.
    for (std::size_t j = (hole + 1) & mask_; slots_[j].length != kEmpty; j = (j + 1) & mask_) {
      std::size_t h = home(slots_[j].prefix());
      bool stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
      if (stays) continue;
      slots_[hole].address = slots_[j].address;
      slots_[hole].length = slots_[j].length;
      slots_[hole].value = std::move(slots_[j].value);
      hole = j;
    }
    slots_[hole].length = kEmpty;
    slots_[hole].value = V{};
    --size_;
    return true;
  }

  /// Calls fn(prefix, value) for every entry; fn must not insert or erase.
  template <typename F>
  void for_each(F&& fn) {
    for (std::size_t i = 0; i < capacity(); ++i)
      if (slots_[i].length != kEmpty) fn(slots_[i].prefix(), slots_[i].value);
  }
  template <typename F>
  void for_each(F&& fn) const {
    for (std::size_t i = 0; i < capacity(); ++i)
      if (slots_[i].length != kEmpty) fn(slots_[i].prefix(), std::as_const(slots_[i].value));
  }

 private:
  static constexpr std::uint8_t kEmpty = 0xff;  // not a prefix length
  static constexpr std::size_t kNone = ~std::size_t{0};
  struct Slot {
    std::uint32_t address = 0;
    std::uint8_t length = kEmpty;
    V value{};
    Ipv4Prefix prefix() const { return Ipv4Prefix{Ipv4Address{address}, length}; }
  };

  std::size_t home(const Ipv4Prefix& p) const {
    // MurmurHash3's 64-bit finalizer over (length, network): consecutive /24s spread out.
    std::uint64_t k = (std::uint64_t{p.length} << 32) | p.network().value;
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return static_cast<std::size_t>(k) & mask_;
  }

  std::size_t locate(const Ipv4Prefix& p) const {
    if (size_ == 0) return kNone;
    std::uint32_t addr = p.network().value;
    for (std::size_t i = home(p);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.length == kEmpty) return kNone;
      if (s.length == p.length && s.address == addr) return i;
    }
  }

  void grow() {
    std::size_t old_cap = capacity();
    std::size_t cap = old_cap ? old_cap * 2 : 16;
    auto old = std::move(slots_);
    slots_ = std::make_unique<Slot[]>(cap);
    mask_ = cap - 1;
    for (std::size_t i = 0; i < old_cap; ++i) {
      if (old[i].length == kEmpty) continue;
      std::size_t j = home(old[i].prefix());
      while (slots_[j].length != kEmpty) j = (j + 1) & mask_;
      slots_[j].address = old[i].address;
      slots_[j].length = old[i].length;
      slots_[j].value = std::move(old[i].value);
    }
  }

  std::unique_ptr<Slot[]> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace vpnlab::bgp
