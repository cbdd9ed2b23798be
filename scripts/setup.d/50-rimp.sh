#!/usr/bin/env bash
# aim-rimp: file-system tools its tests and benchmark use. mkfs.xfs and mkfs.btrfs make the loop-mounted XFS and
# btrfs (reflinks),
# xfs_io/filefrag inspect extents, mkfs.ext4 (e2fsprogs) makes the small "disk full" file system. Loop devices
# must exist (/dev/loop-control); tests that need them are tagged "system" and skip themselves without root.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
need=()
command -v mkfs.xfs >/dev/null || need+=(xfsprogs)
command -v mkfs.btrfs >/dev/null || need+=(btrfs-progs)
command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
command -v losetup >/dev/null || need+=(mount)
if [ ${#need[@]} -gt 0 ]; then apt-get install -y -qq "${need[@]}"; fi
# Loop devices: some minimal kernels/containers only create them on demand.
[ -e /dev/loop-control ] || modprobe loop 2>/dev/null || true
