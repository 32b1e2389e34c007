#!/usr/bin/env bash
# Layering check (STYLE.md table): each directory may include only the modules below it,
# and the pure parts (codecs, cores, esp/, dataplane/core) no Asio and no socket headers.
#   cli -> topology -> {ike, bgp} -> dataplane -> esp -> base
# Prints every offending include with file:line; exits non-zero if there is one.
set -u
cd "$(dirname "$0")/.."
status=0
check() { # dir allowed-project-prefixes forbid-system-regex
  local dir=$1 allowed=$2 forbid=$3 f line inc
  [ -d "$dir" ] || return 0
  while IFS= read -r f; do
    while IFS=: read -r line inc; do
      inc=${inc#*\"}; inc=${inc%%\"*}
      case "$inc" in */*) ;; *) continue ;; esac
      local top=${inc%%/*} ok=0 a
      for a in $allowed; do
        case "$inc" in "$a"*) ok=1 ;; esac
      done
      case "$top" in base|esp|dataplane|ike|bgp|topology|cli) ;; *) ok=1 ;; esac
      if [ $ok = 0 ]; then echo "$f:$line: $dir may not include \"$inc\""; status=1; fi
    done < <(grep -n '^#include "' "$f")
    if [ -n "$forbid" ]; then
      while IFS=: read -r line inc; do
        echo "$f:$line: $dir is pure (no sockets/Asio/threads): $inc"; status=1
      done < <(grep -nE "^#include <($forbid)" "$f")
    fi
  done < <(find "$dir" -name '*.hpp' -o -name '*.cpp')
}
NET='boost/|sys/socket|netinet/|linux/if_tun|asio'
check base "base/" "$NET|thread>"
check esp "base/ esp/" "$NET|thread>"
check dataplane/core "base/ esp/ dataplane/core/" "$NET"
check dataplane/linux "base/ esp/ dataplane/" ""
check ike/codec "base/ ike/codec/" "$NET|thread>"
check ike/core "base/ esp/ dataplane/core/ ike/codec/ ike/core/" "$NET|thread>"
check ike/daemon "base/ esp/ dataplane/ ike/" ""
check bgp/codec "base/ bgp/codec/" "$NET|thread>"
check bgp/core "base/ dataplane/core/ bgp/codec/ bgp/core/" "$NET|thread>"
check bgp/speaker "base/ esp/ dataplane/ bgp/" ""
check topology "base/ esp/ dataplane/ ike/ bgp/ topology/" ""
[ $status = 0 ] && echo "layering: ok"
exit $status
