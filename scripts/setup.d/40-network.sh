#!/usr/bin/env bash
# aim-network: iproute2 for the VLAN service and its namespace tests; QEMU plus a stock Debian kernel (fetched with
# apt-get download, cached under /var/tmp/aim-network-vm) for the VLAN tests that need a kernel with 802.1Q.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
need=()
command -v ip >/dev/null || need+=(iproute2)
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v cpio >/dev/null || need+=(cpio)
command -v xz >/dev/null || need+=(xz-utils)
command -v perl >/dev/null || need+=(perl-base)
if [ ${#need[@]} -gt 0 ]; then apt-get install -y -qq "${need[@]}" >/dev/null; fi
# Tests make their own namespaces with `ip netns add`, which needs this folder's mount point.
mkdir -p /run/netns
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$here/aim-network/src/test/vm/prepare" >/dev/null
