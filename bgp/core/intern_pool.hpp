#pragma once
// InternPool<T>: one shared, reference-counted copy per distinct value (hash-consing, as
// BIRD's rta cache and FRR's attr hash do). A peer's full table typically carries a handful
// of distinct attribute sets, so per-route state holds a 4-byte id instead of a copy; the
// value is freed when its last reference goes (a withdrawal, a replaced path, a peer down).
//
//   Id id = pool.intern(value);   // +1 reference (finds an equal value or adds it)
//   pool.ref(id); pool.unref(id); // the holder of a reference releases it exactly once
//   pool.get(id)                  // valid while referenced
//
// Hash and Eq see T itself: for std::shared_ptr<const X> pass functors over *ptr.

#include <cstdint>
#include <functional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vpnlab::bgp {

using InternId = std::uint32_t;

template <typename T, typename Hash = std::hash<T>, typename Eq = std::equal_to<T>>
class InternPool {
 public:
  InternId intern(T value) {
    std::size_t h = Hash{}(value);
    auto [lo, hi] = index_.equal_range(h);
    for (auto it = lo; it != hi; ++it) {
      if (Eq{}(slots_[it->second].value, value)) {
        ++slots_[it->second].refs;
        return it->second;
      }
    }
    InternId id;
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
      slots_[id] = Slot{std::move(value), h, 1};
    } else {
      id = static_cast<InternId>(slots_.size());
      slots_.push_back(Slot{std::move(value), h, 1});
    }
    index_.emplace(h, id);
    ++live_;
    return id;
  }

  void ref(InternId id) { ++slots_[id].refs; }

  void unref(InternId id) {
    Slot& s = slots_[id];
    if (--s.refs != 0) return;
    auto [lo, hi] = index_.equal_range(s.hash);
    for (auto it = lo; it != hi; ++it) {
      if (it->second == id) {
        index_.erase(it);
        break;
      }
    }
    s.value = T{};  // frees what the value owns now
    free_.push_back(id);
    --live_;
  }

  const T& get(InternId id) const { return slots_[id].value; }
  std::uint32_t refs(InternId id) const { return slots_[id].refs; }
  /// Distinct values currently referenced.
  std::size_t size() const { return live_; }

 private:
  struct Slot {
    T value;
    std::size_t hash = 0;
    std::uint32_t refs = 0;
  };
  std::vector<Slot> slots_;
  std::vector<InternId> free_;
  std::unordered_multimap<std::size_t, InternId> index_;
  std::size_t live_ = 0;
};

}  // namespace vpnlab::bgp
