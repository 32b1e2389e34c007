#pragma once
// Graphviz's `dot` as a renderer for `vpnlab graph -o lab.svg` (Debian package graphviz).
#include <string>

#include "base/result.hpp"

namespace vpnlab::topology {

/// The SVG `dot -Tsvg` makes of dot_text. Errors: `dot` not on PATH (naming the tool and the
/// package), dot failing on the input (with its stderr), a temporary file not writable.
Checked<std::string> render_svg(const std::string& dot_text);

}  // namespace vpnlab::topology
