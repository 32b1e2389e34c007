#pragma once
// Client side of a gateway's control socket (see gateway/control_socket.hpp).
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "base/result.hpp"

namespace vpnlab::topology {

/// Sends one request and returns the reply; errors say which socket and what failed.
Checked<nlohmann::json> control_request(
    const std::string& socket_path, const nlohmann::json& request,
    std::chrono::milliseconds timeout = std::chrono::seconds(2));

}  // namespace vpnlab::topology
