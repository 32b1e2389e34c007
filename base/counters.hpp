#pragma once
// Named event counters (`<module>.<direction>.<event>`, e.g. esp.rx.drop.replay). Each is a
// relaxed atomic, so hot paths can bump them without locks and status can read them while
// traffic flows. A CounterSet owns its counters; their addresses are stable.

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace vpnlab {

class Counter {
 public:
  void add(std::uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

class CounterSet {
 public:
  /// The counter with this name, created at zero on first use. Look it up once, keep the
  /// reference: the lookup takes a lock, the counter does not.
  Counter& get(const std::string& name) {
    std::lock_guard lock(mu_);
    auto it = index_.find(name);
    if (it != index_.end()) return *it->second;
    Counter& c = storage_.emplace_back();
    index_.emplace(name, &c);
    return c;
  }
  /// A copy of every counter's value, sorted by name.
  std::map<std::string, std::uint64_t> snapshot() const {
    std::lock_guard lock(mu_);
    std::map<std::string, std::uint64_t> out;
    for (const auto& [name, c] : index_) out.emplace(name, c->get());
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::deque<Counter> storage_;
  std::map<std::string, Counter*> index_;
};

}  // namespace vpnlab
