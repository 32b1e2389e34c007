// The recovery analysis (topology/recovery.hpp) over variants of the reference lab: who
// re-initiates after each failure, whether the tunnel comes back, the reason and the fix; and
// stuck_now over the live states of a tunnel's two ends.
#include "topology/recovery.hpp"

#include <gtest/gtest.h>

#include "lab_test_util.hpp"

namespace vpnlab::topology {
namespace {

const char kStart[] = "          startup_action: start";

// The reference lab with every AWS tunnel's startup line replaced (4 tunnels) and every Azure
// connection's mode replaced (4 connections).
std::vector<TunnelRecovery> analyse(const std::string& aws_lines, const std::string& mode) {
  std::string yaml = default_lab_yaml();
  auto replace_all = [&](const std::string& from, const std::string& to) {
    int n = 0;
    for (auto at = yaml.find(from); at != std::string::npos; at = yaml.find(from, at + to.size())) {
      yaml.replace(at, from.size(), to);
      ++n;
    }
    EXPECT_EQ(n, 4) << from;
  };
  replace_all(kStart, aws_lines);
  replace_all("connection_mode: ResponderOnly", "connection_mode: " + mode);
  auto loaded = load_lab_text(yaml, "lab.yaml");
  EXPECT_TRUE(loaded.lab) << loaded.diagnostics.format("lab.yaml");
  if (!loaded.lab) return {};
  return analyze_recovery(compile(*loaded.lab));
}

EndState end(bool up, bool negotiating, bool has_sa) {
  return {true, up, negotiating, has_sa};
}

const EventOutcome& after(const TunnelRecovery& r, FailureEvent e) {
  for (const auto& o : r.outcomes)
    if (o.event == e) return o;
  ADD_FAILURE() << "no outcome for " << failure_event_name(e);
  return r.outcomes.front();
}

TEST(Recovery, ReferenceLabDeadlocksAfterAnAzureInstanceRestart) {
  auto all = analyse(kStart, "ResponderOnly");
  ASSERT_EQ(all.size(), 4u);
  const TunnelRecovery& r = all[0];
  EXPECT_EQ(r.device, "aws0t1");
  EXPECT_EQ(r.aws_tunnel, "ToAzureInstance0.tunnel1");
  EXPECT_EQ(r.azure_connection, "AWSTunnel1ToInstance0");
  EXPECT_EQ(r.azure_node, "azure-gw0");
  for (const auto& t : all) {
    SCOPED_TRACE(t.device);
    EXPECT_FALSE(after(t, FailureEvent::azure_instance_restart).comes_back);
    EXPECT_TRUE(after(t, FailureEvent::azure_instance_restart).initiators.empty());
    EXPECT_FALSE(after(t, FailureEvent::dpd_timeout).comes_back);
    EXPECT_FALSE(after(t, FailureEvent::ike_sa_loss).comes_back);
    // startup_action start: a restarted AWS endpoint initiates.
    EXPECT_TRUE(after(t, FailureEvent::aws_endpoint_restart).comes_back);
    EXPECT_EQ(after(t, FailureEvent::aws_endpoint_restart).initiators,
              std::vector<std::string>{"AWS (startup_action start)"});
    EXPECT_FALSE(t.always_comes_back());
  }
  EXPECT_EQ(r.reason,
            "AWS dpd_timeout_action clear ends the IKE session and waits for the customer gateway "
            "(startup_action start acts only when the tunnel is created); Azure connection "
            "AWSTunnel1ToInstance0 is ResponderOnly (the peer must initiate): nobody "
            "re-initiates after an Azure instance restart, a DPD timeout or an IKE_SA loss");
  EXPECT_EQ(r.fix,
            "set dpd_timeout_action: restart on AWS tunnel ToAzureInstance0.tunnel1, or "
            "connection_mode: Default on Azure connection AWSTunnel1ToInstance0");
}

TEST(Recovery, AwsDpdRestartRecoversFromEverything) {
  auto all =
      analyse(std::string(kStart) + "\n          dpd_timeout_action: restart", "ResponderOnly");
  ASSERT_EQ(all.size(), 4u);
  for (const auto& t : all) {
    SCOPED_TRACE(t.device);
    EXPECT_TRUE(t.always_comes_back()) << t.reason;
    EXPECT_EQ(after(t, FailureEvent::azure_instance_restart).initiators,
              std::vector<std::string>{"AWS (dpd_timeout_action restart)"});
    EXPECT_TRUE(t.fix.empty());
  }
}

TEST(Recovery, AzureDefaultModeRecoversFromEverything) {
  for (const char* mode : {"Default", "InitiatorOnly"}) {
    SCOPED_TRACE(mode);
    auto all = analyse(kStart, mode);
    ASSERT_EQ(all.size(), 4u);
    for (const auto& t : all) {
      EXPECT_TRUE(t.always_comes_back()) << t.reason;
      const auto& o = after(t, FailureEvent::dpd_timeout);
      ASSERT_EQ(o.initiators.size(), 1u);
      EXPECT_EQ(o.initiators[0], std::string("Azure (connection_mode ") + mode + ")");
    }
  }
}

TEST(Recovery, AddWithClearNeverInitiatesAndNeedsBothAwsOptions) {
  auto all = analyse("          startup_action: add", "ResponderOnly");
  ASSERT_EQ(all.size(), 4u);
  for (const auto& o : all[0].outcomes) EXPECT_FALSE(o.comes_back) << failure_event_name(o.event);
  EXPECT_NE(all[0].reason.find("startup_action add never initiates"), std::string::npos)
      << all[0].reason;
  EXPECT_EQ(all[0].fix,
            "set dpd_timeout_action: restart and startup_action: start on AWS tunnel "
            "ToAzureInstance0.tunnel1, or connection_mode: Default on Azure connection "
            "AWSTunnel1ToInstance0");
}

TEST(Recovery, AddWithRestartLosesOnlyAnAwsEndpointRestart) {
  auto all = analyse("          startup_action: add\n          dpd_timeout_action: restart",
                     "ResponderOnly");
  ASSERT_EQ(all.size(), 4u);
  const TunnelRecovery& r = all[1];
  EXPECT_TRUE(after(r, FailureEvent::azure_instance_restart).comes_back);
  EXPECT_TRUE(after(r, FailureEvent::dpd_timeout).comes_back);
  EXPECT_FALSE(after(r, FailureEvent::aws_endpoint_restart).comes_back);
  EXPECT_NE(r.reason.find("a restarted AWS endpoint waits"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("nobody re-initiates after an AWS endpoint restart"), std::string::npos)
      << r.reason;
  EXPECT_EQ(r.fix.find("set startup_action: start on AWS tunnel ToAzureInstance0.tunnel2"), 0u)
      << r.fix;
}

TEST(Recovery, DpdActionNoneKeepsTheDeadSession) {
  auto all = analyse(std::string(kStart) + "\n          dpd_timeout_action: none", "ResponderOnly");
  ASSERT_EQ(all.size(), 4u);
  EXPECT_FALSE(after(all[2], FailureEvent::azure_instance_restart).comes_back);
  EXPECT_NE(all[2].reason.find("dpd_timeout_action none keeps the dead IKE session"),
            std::string::npos)
      << all[2].reason;
}

TEST(RecoveryNow, RealSoftwareEndsAreNeverJudgedLive) {
  auto loaded = load_lab_text(mutated("  time_factor: 1",
                                      "  time_factor: 1\n  nodes:\n    aws-vgw: "
                                      "{implementation: strongswan+bird}"),
                              "lab.yaml");
  ASSERT_TRUE(loaded.lab);
  auto all = analyze_recovery(compile(*loaded.lab));
  ASSERT_EQ(all.size(), 4u);
  EXPECT_TRUE(all[0].real_software);
  EXPECT_FALSE(all[0].always_comes_back());  // the analysis of the clouds' rules still holds
  EXPECT_FALSE(stuck_now(all[0], end(false, false, false), end(false, false, false)));
}

TEST(Recovery, ManualKeyingHasNothingToAnalyse) {
  auto loaded =
      load_lab_text(mutated("  time_factor: 1", "  time_factor: 1\n  keying: manual"), "lab.yaml");
  ASSERT_TRUE(loaded.lab);
  EXPECT_TRUE(analyze_recovery(compile(*loaded.lab)).empty());
}

TEST(RecoveryNow, StuckWhenTheRestartedInstanceWaitsAndAwsWillClear) {
  auto ref = analyse(kStart, "ResponderOnly");
  ASSERT_FALSE(ref.empty());
  const TunnelRecovery& r = ref[0];
  // Azure instance restarted (no SA); AWS still holds its dead IKE_SA until DPD clears it.
  EXPECT_TRUE(stuck_now(r, end(true, false, true), end(false, false, false)));
  // Both cleared.
  EXPECT_TRUE(stuck_now(r, end(false, false, false), end(false, false, false)));
  // Not stuck: both up, an exchange under way on either end, an end not answering.
  EXPECT_FALSE(stuck_now(r, end(true, false, true), end(true, false, true)));
  EXPECT_FALSE(stuck_now(r, end(false, true, true), end(false, false, false)));
  EXPECT_FALSE(stuck_now(r, end(false, false, false), end(false, true, true)));
  EXPECT_FALSE(stuck_now(r, end(true, false, true), EndState{}));
}

TEST(RecoveryNow, DpdRestartOrAnInitiatingAzureIsNeverStuckWhileThereIsAnSa) {
  auto restart =
      analyse(std::string(kStart) + "\n          dpd_timeout_action: restart", "ResponderOnly");
  ASSERT_FALSE(restart.empty());
  EXPECT_FALSE(stuck_now(restart[0], end(true, false, true), end(false, false, false)));
  // Without an IKE_SA the AWS end has no DPD to restart from (e.g. after a DELETE).
  EXPECT_TRUE(stuck_now(restart[0], end(false, false, false), end(false, false, false)));
  auto dflt = analyse(kStart, "Default");
  ASSERT_FALSE(dflt.empty());
  EXPECT_FALSE(stuck_now(dflt[0], end(false, false, false), end(false, false, false)));
}

}  // namespace
}  // namespace vpnlab::topology
