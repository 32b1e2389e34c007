#pragma once
// The lab's network underneath the tunnels (shared/DESIGN.md "The reference lab"):
//
//  vnet-vm ── vnet (fabric) ──[GatewaySubnet bridge]── azure-gw0 ─┐        ┌─ aws-vgw ── vpc-host
//  10.1.0.4   10.1.0.1 / 10.1.1.1          10.1.1.4 / .5 azure-gw1 ─┤internet├─ 198.51.100.10-13
//                                       203.0.113.10 / .11          └ .1  .1 ┘
//
// One namespace per node, named <lab>-<role>; the internet router has one bridge per cloud
// edge (203.0.113.1/24, 198.51.100.1/24), so every public address reaches every other.
#include <vector>

#include "topology/model.hpp"
#include "topology/plan.hpp"

namespace vpnlab::topology {

UnderlayPlan plan_underlay(const Lab& lab, const std::vector<GatewayPlan>& gateways);

LabAddresses lab_addresses(const Lab& lab);

}  // namespace vpnlab::topology
