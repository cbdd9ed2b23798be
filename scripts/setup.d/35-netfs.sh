#!/usr/bin/env bash
# netfs (NFS) storage pools: the NFS user space (nfs-kernel-server: rpc.nfsd, rpc.mountd, exportfs; nfs-common:
# mount.nfs, which libvirt's netfs back-end runs; rpcbind). This machine's kernel has no NFS, so nothing is started
# here: aim-server's NetfsPoolVmSystemTest boots a stock Debian kernel under QEMU (aim-network's VM harness) that
# sees this machine's / read-only and runs the NFS server, libvirtd and AIM there. Idempotent; no systemd assumed.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
need=()
for pkg in nfs-kernel-server nfs-common rpcbind qemu-system-x86 cpio xz-utils; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  # The packages' maintainer scripts would start rpcbind and the NFS services: forbid it while they run (the
  # policy-rc.d convention), unless a policy is already in place.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${need[@]}" >/dev/null
fi
# The guest's NFS server needs these folders; make them here so the read-only view already has them.
mkdir -p /var/lib/nfs/rpc_pipefs /var/lib/nfs/v4recovery
