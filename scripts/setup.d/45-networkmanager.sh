#!/usr/bin/env bash
# aim-network: NetworkManager 1.42 (Debian's network-manager) for the keyfile golden tests, which run
# `nmcli --offline connection add ...` (no daemon needed), and for the test that starts a private NetworkManager in
# a network namespace. The package's own daemon is NOT started here: a NetworkManager on the build machine would
# manage its interfaces. A policy-rc.d (exit 101) is put in place for the install when none exists.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if command -v nmcli >/dev/null && command -v NetworkManager >/dev/null && command -v dbus-daemon >/dev/null; then
  exit 0
fi
policy=/usr/sbin/policy-rc.d
placed=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# placed by AIM scripts/setup.d/45-networkmanager.sh for one install\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  placed=true
fi
trap '[ "$placed" = true ] && rm -f "$policy"' EXIT
apt-get install -y -qq --no-install-recommends network-manager dbus >/dev/null
