#pragma once
// A small client for charon's vici protocol (strongSwan src/libcharon/plugins/vici/README.md):
// packets are a 32-bit big-endian length and a type octet; named packets (CMD_REQUEST,
// EVENT_REGISTER, EVENT) carry an 8-bit-length name; messages are a sequence of elements
// (SECTION_START name, SECTION_END, KEY_VALUE name + 16-bit-length value, LIST_START name,
// LIST_ITEM value, LIST_END). Messages map to JSON: sections -> objects, key/values ->
// strings, lists -> arrays of strings. Unix sockets are reached by path, whatever network
// namespace charon runs in.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace vpnlab::topology::nodes {

/// Encodes a message from JSON (objects -> sections, arrays -> lists, scalars -> values).
std::string vici_encode(const nlohmann::json& message);
/// Decodes a message; errors name the offset.
Checked<nlohmann::json> vici_decode(std::string_view bytes);

/// Sends one command and returns its response message ("success", "errmsg", ...).
Checked<nlohmann::json> vici_command(const std::string& socket_path, const std::string& command,
                                     const nlohmann::json& args = nlohmann::json::object());
/// A streaming command (list-sas streams one "list-sa" event per IKE_SA): registers for
/// the event, sends the command and collects the events until the response.
Checked<std::vector<nlohmann::json>> vici_stream(
    const std::string& socket_path, const std::string& command, const std::string& event,
    const nlohmann::json& args = nlohmann::json::object());

}  // namespace vpnlab::topology::nodes
