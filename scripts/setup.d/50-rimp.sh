#!/usr/bin/env bash
# aim-rimp: file-system tools its tests and scripts/bench-rimp use. mkfs.xfs and mkfs.btrfs make the loop-mounted
# XFS and btrfs of the reflink tests, mount/losetup mount them (and the small tmpfs of the disk-full tests);
# stat, sha256sum and truncate come with coreutils, ip (network namespace test) with 00-base.sh. Tests that need
# root are tagged "system" and skip themselves without it.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
need=()
command -v mkfs.xfs >/dev/null || need+=(xfsprogs)
command -v mkfs.btrfs >/dev/null || need+=(btrfs-progs)
command -v losetup >/dev/null || need+=(mount)
if [ ${#need[@]} -gt 0 ]; then apt-get install -y -qq "${need[@]}"; fi
# Loop devices: some minimal kernels/containers only create them on demand.
[ -e /dev/loop-control ] || modprobe loop 2>/dev/null || true
