#include "base/secret.hpp"

#include <gtest/gtest.h>

#include <type_traits>

namespace vpnlab {
namespace {

template <typename T, typename = void>
struct Streamable : std::false_type {};
template <typename T>
struct Streamable<T, std::void_t<decltype(std::declval<std::ostream&>() << std::declval<T>())>>
    : std::true_type {};

TEST(SecretBytes, CannotBeStreamed) {
  static_assert(!Streamable<SecretBytes>::value, "secrets must not be printable");
  static_assert(!std::is_convertible_v<SecretBytes, std::string>);
}

TEST(SecretBytes, ConstantTimeEqualsAndMoveWipes) {
  SecretBytes a(std::string_view("psk-one"));
  SecretBytes b(std::string_view("psk-one"));
  SecretBytes c(std::string_view("psk-two"));
  EXPECT_TRUE(a.equals(b));
  EXPECT_FALSE(a.equals(c));
  EXPECT_FALSE(a.equals(SecretBytes(std::string_view("psk"))));
  SecretBytes moved(std::move(a));
  EXPECT_EQ(moved.size(), 7u);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): wiped on move by contract
}

TEST(SecretBytes, SliceCopiesRange) {
  const std::uint8_t raw[] = {1, 2, 3, 4, 5};
  SecretBytes s(raw);
  auto part = s.slice(1, 3);
  ASSERT_EQ(part.size(), 3u);
  EXPECT_EQ(part.expose()[0], 2);
  EXPECT_EQ(part.expose()[2], 4);
}

}  // namespace
}  // namespace vpnlab
