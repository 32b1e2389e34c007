#pragma once
// Result<T, E>: a value or an error, spelled like C++23 std::expected so it can be swapped
// for it later (clang 14 with libstdc++ has no <expected>). Errors are values on every
// untrusted-input path; exceptions are for programming errors only.

#include <cstdlib>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace vpnlab {

/// Wraps an error so that `return Unexpected{e};` converts into any Result<T, E>.
template <typename E>
struct Unexpected {
  E error;
};
template <typename E>
Unexpected(E) -> Unexpected<E>;

/// An error with a human-readable "what and where" message, for parsers and loaders.
struct Error {
  std::error_code code;
  std::string message;
};

template <typename T, typename E = std::error_code>
class [[nodiscard]] Result {
 public:
  using value_type = T;
  using error_type = E;

  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  template <typename G>
  Result(Unexpected<G> u) : v_(std::in_place_index<1>, E(std::move(u.error))) {}  // NOLINT

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & {
    check();
    return std::get<0>(v_);
  }
  const T& value() const& {
    check();
    return std::get<0>(v_);
  }
  T&& value() && {
    check();
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const& { return std::get<1>(v_); }
  E&& error() && { return std::get<1>(std::move(v_)); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  void check() const {
    // Reading the value of an error Result is a programming error, not input handling.
    if (!has_value()) std::abort();
  }
  std::variant<T, E> v_;
};

/// Result<void, E>: success or an error.
template <typename E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  template <typename G>
  Result(Unexpected<G> u) : err_(E(std::move(u.error))), ok_(false) {}  // NOLINT

  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  void value() const {
    if (!ok_) std::abort();
  }
  const E& error() const& { return err_; }

 private:
  E err_{};
  bool ok_ = true;
};

/// Shorthand for Result<T, Error> (a code plus a what-and-where message).
template <typename T>
using Checked = Result<T, Error>;

inline Unexpected<Error> fail(std::error_code code, std::string message) {
  return Unexpected<Error>{Error{code, std::move(message)}};
}

}  // namespace vpnlab
