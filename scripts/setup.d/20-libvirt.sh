#!/usr/bin/env bash
# libvirtd with the QEMU driver (real KVM, TCG where /dev/kvm is missing) for aim-libvirt's system tests.
# Idempotent: installs only what is missing, starts virtlogd/libvirtd only when they are not running (no systemd),
# then waits until qemu:///system answers.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

# dir, fs/netfs and iscsi pools come with libvirt-daemon; iscsi-direct (libiscsi, user space) is its own driver and
# must be installed before libvirtd starts, or the daemon does not know the pool type.
packages=(libvirt0 libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu
          libvirt-daemon-driver-storage-iscsi-direct qemu-system-x86 qemu-utils)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  # Other setup pieces may run apt at the same time on a shared machine: wait for the lock instead of failing.
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
fi

# The QEMU driver refuses to start without its user and group (Debian's libvirt-daemon-system would create them).
getent group kvm >/dev/null || groupadd -r kvm
getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
id libvirt-qemu >/dev/null 2>&1 || useradd -r -g kvm -G libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
[ -e /dev/kvm ] && chgrp kvm /dev/kvm 2>/dev/null && chmod 660 /dev/kvm 2>/dev/null || true
mkdir -p /var/log/libvirt /var/run/libvirt /var/lib/libvirt

# Only processes whose executable is the daemon itself count (not a shell that mentions its name).
pgrep -x virtlogd >/dev/null || virtlogd -d
pgrep -x libvirtd >/dev/null || libvirtd -d

# The first open of qemu:///system probes QEMU's capabilities; it once took 8 s here.
deadline=$((SECONDS + 90))
until virsh -c qemu:///system version >/dev/null 2>&1; do
  if [ $SECONDS -ge $deadline ]; then
    echo "20-libvirt: libvirtd did not answer on qemu:///system within 90 s" >&2
    virsh -c qemu:///system version >&2 || true
    exit 1
  fi
  sleep 0.5
done
echo "20-libvirt: $(virsh -c qemu:///system version | sed -n 's/^Running hypervisor: //p') ready" \
     "($( [ -e /dev/kvm ] && echo KVM || echo 'TCG, no /dev/kvm'))" >&2
