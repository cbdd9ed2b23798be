#!/usr/bin/env bash
# iSCSI for aim-storage's tests: the tgtd target (tgt), libiscsi's tools (iscsi-ls), open-iscsi (iscsiadm and
# /etc/iscsi/initiatorname.iscsi), libvirt's iscsi-direct storage driver, and kmod (insmod loads the VM kernel's
# iscsi_tcp in the kernel-initiator test, which reuses aim-network's VM harness). dir, netfs and iscsi pool back-ends come
# with libvirt-daemon (20-libvirt.sh). Idempotent; no systemd assumed. Test targets are made by the tests themselves.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt_install() { apt-get install -y -qq -o DPkg::Lock::Timeout=600 "$@" >/dev/null; }

need=()
for pkg in tgt libiscsi-bin open-iscsi libvirt-daemon-driver-storage-iscsi-direct kmod xz-utils; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || need+=("$pkg")
done
driver_was_missing=false
case " ${need[*]:-} " in *" libvirt-daemon-driver-storage-iscsi-direct "*) driver_was_missing=true ;; esac
if [ ${#need[@]} -gt 0 ]; then apt_install "${need[@]}"; fi

# open-iscsi's post-install writes the initiator name; write one if that step was skipped (e.g. in a container).
if ! grep -qs '^InitiatorName=iqn\.' /etc/iscsi/initiatorname.iscsi; then
  mkdir -p /etc/iscsi
  name=$(iscsi-iname 2>/dev/null || echo "iqn.2004-10.com.debian:01:$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')")
  printf 'InitiatorName=%s\n' "$name" > /etc/iscsi/initiatorname.iscsi
fi

virsh_answers() { timeout 20 virsh -c qemu:///system version >/dev/null 2>&1; }
# libvirtd loads storage back-ends only when it starts: restart it if the iscsi-direct driver is new.
if $driver_was_missing && pid=$(pgrep -x libvirtd); then
  echo "30-iscsi: restarting libvirtd ($pid) to load the iscsi-direct storage driver" >&2
  kill "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  mkdir -p /var/run/libvirt /var/log/libvirt
  pgrep -x virtlogd >/dev/null || virtlogd -d
  libvirtd -d
  for _ in $(seq 1 60); do virsh_answers && break; sleep 1; done
  virsh_answers || { echo "30-iscsi: libvirtd does not answer after its restart" >&2; exit 1; }
fi

# The user-space target on 0.0.0.0:3260 (tests bind their targets to 127.0.0.1 initiators only).
if ! pgrep -x tgtd >/dev/null; then
  mkdir -p /var/run/tgtd
  tgtd
  for _ in $(seq 1 50); do tgtadm --lld iscsi --op show --mode target >/dev/null 2>&1 && break; sleep 0.1; done
fi
tgtadm --lld iscsi --op show --mode target >/dev/null || { echo "30-iscsi: tgtd does not answer" >&2; exit 1; }
