// The nftables script that keeps the kernel's IP stack away from the ESP the AF_PACKET
// transport receives (dataplane/linux/esp_ingress_drop.hpp). The netns test
// (netns.dataplane_af_packet) applies it for real.
#include "dataplane/linux/esp_ingress_drop.hpp"

#include <gtest/gtest.h>

namespace vpnlab::dataplane {
namespace {

TEST(EspIngressDrop, OneIngressChainPerDeviceDroppingEspToEveryLocalAddress) {
  std::string s = esp_ingress_drop_script(
      {"inet0", "inet1"},
      {*Ipv4Address::parse("198.51.100.10"), *Ipv4Address::parse("198.51.100.11")});
  EXPECT_EQ(s,
            "table netdev vpnlab_esp\n"
            "delete table netdev vpnlab_esp\n"
            "table netdev vpnlab_esp {\n"
            "  chain ingress0 {\n"
            "    type filter hook ingress device \"inet0\" priority -500; policy accept;\n"
            "    meta protocol ip ip daddr { 198.51.100.10, 198.51.100.11 } ip protocol esp "
            "counter drop\n"
            "  }\n"
            "  chain ingress1 {\n"
            "    type filter hook ingress device \"inet1\" priority -500; policy accept;\n"
            "    meta protocol ip ip daddr { 198.51.100.10, 198.51.100.11 } ip protocol esp "
            "counter drop\n"
            "  }\n"
            "}\n");
}

TEST(EspIngressDrop, RemovalWorksWhetherOrNotTheTableExists) {
  // "table X" creates it if missing, so the delete that follows never fails.
  EXPECT_EQ(esp_ingress_remove_script(),
            "table netdev vpnlab_esp\ndelete table netdev vpnlab_esp\n");
}

}  // namespace
}  // namespace vpnlab::dataplane
