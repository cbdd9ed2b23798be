#!/usr/bin/env bash
# EventsMonitor fault tests (aim-libvirt, @Tag("system")) start a private libvirtd as user "nobody", group "kvm",
# with setpriv (util-linux), so they can SIGKILL and restart it without touching the system daemon. libvirtd, virsh,
# QEMU and the kvm group come from 20-libvirt.sh. Idempotent.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
command -v setpriv >/dev/null || apt-get -o DPkg::Lock::Timeout=600 install -y -qq util-linux >/dev/null
getent group kvm >/dev/null || groupadd -r kvm
id nobody >/dev/null 2>&1 || useradd -r -d /nonexistent -s /usr/sbin/nologin nobody
# QEMU started by the private daemon runs as nobody:kvm and needs /dev/kvm (TCG is used where it is missing).
if [ -e /dev/kvm ]; then chgrp kvm /dev/kvm 2>/dev/null && chmod 660 /dev/kvm 2>/dev/null || true; fi
