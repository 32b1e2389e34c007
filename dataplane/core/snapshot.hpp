#pragma once
// SnapshotCell<T>: an immutable snapshot that the control plane replaces and workers read
// without locks (RCU-like, DESIGN.md "Packet path"). Epoch-based reclamation:
//
//   reader (worker)             writer (control plane, serialized by its caller)
//   slot = epoch; p = current   old = current.exchange(next); ++epoch; retire(old, epoch)
//   ... use *p for one batch    reclaim(): free retired snapshots older than every active
//   slot = idle                            reader's slot
//
// A reader pins the epoch it saw before loading the pointer, so a snapshot retired at a later
// epoch is kept until that reader goes idle or re-enters. All operations are seq_cst: the
// writer's scan of the slots and the readers' pins are totally ordered.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <vector>

namespace vpnlab::dataplane {

template <typename T>
class SnapshotCell {
 public:
  SnapshotCell(std::unique_ptr<const T> initial, std::size_t max_readers)
      : current_(initial.release()), slots_(max_readers) {}
  ~SnapshotCell() {
    delete current_.load();
    for (auto& r : retired_) delete r.snapshot;
  }
  SnapshotCell(const SnapshotCell&) = delete;
  SnapshotCell& operator=(const SnapshotCell&) = delete;

  /// A reader slot for one worker thread (call before the worker starts); -1 if none left.
  int register_reader() {
    std::lock_guard lock(writer_mu_);
    if (next_slot_ >= slots_.size()) return -1;
    return static_cast<int>(next_slot_++);
  }
  /// Pins the current snapshot for this reader until leave() or the next enter().
  const T* enter(int slot) {
    slots_[static_cast<std::size_t>(slot)].epoch.store(epoch_.load());
    return current_.load();
  }
  /// The reader holds no snapshot (call before blocking).
  void leave(int slot) { slots_[static_cast<std::size_t>(slot)].epoch.store(kIdle); }

  /// The current snapshot, for the writer (valid until its next publish()).
  const T* current() const { return current_.load(); }

  /// Replaces the snapshot; the old one is freed once no reader can hold it.
  void publish(std::unique_ptr<const T> next) {
    std::lock_guard lock(writer_mu_);
    const T* old = current_.exchange(next.release());
    std::uint64_t tag = epoch_.fetch_add(1) + 1;
    retired_.push_back(Retired{old, tag});
    reclaim_locked();
  }
  /// Frees what can be freed (the control plane calls this now and then).
  void reclaim() {
    std::lock_guard lock(writer_mu_);
    reclaim_locked();
  }
  std::size_t retired_count() const {
    std::lock_guard lock(writer_mu_);
    return retired_.size();
  }

 private:
  static constexpr std::uint64_t kIdle = std::numeric_limits<std::uint64_t>::max();
  struct alignas(64) Slot {
    std::atomic<std::uint64_t> epoch{kIdle};
  };
  struct Retired {
    const T* snapshot;
    std::uint64_t tag;
  };

  void reclaim_locked() {
    std::uint64_t oldest = kIdle;
    for (auto& s : slots_) {
      std::uint64_t e = s.epoch.load();
      if (e < oldest) oldest = e;
    }
    std::size_t kept = 0;
    for (auto& r : retired_) {
      if (r.tag <= oldest) {
        delete r.snapshot;
      } else {
        retired_[kept++] = r;
      }
    }
    retired_.resize(kept);
  }

  std::atomic<const T*> current_;
  std::atomic<std::uint64_t> epoch_{0};
  std::vector<Slot> slots_;
  mutable std::mutex writer_mu_;
  std::size_t next_slot_ = 0;
  std::vector<Retired> retired_;
};

}  // namespace vpnlab::dataplane
