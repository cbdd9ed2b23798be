#!/bin/sh
# Runs as root inside the netfs test VM (see run): an NFS server (kernel nfsd) exporting a 64 MiB tmpfs at
# /srv/aim-netfs-export to the guest's own network, and libvirtd listening on TCP 16509 without authentication
# (reached only through QEMU's forward to 127.0.0.1 on the host), both from this machine's packages seen read-only.
# Writes /xfer/ready when both answer, then runs the shell snippets the host test drops in /xfer/req (N.sh ->
# N.out, N.rc) until /xfer/stop appears. Nothing here persists: the guest's writes land in RAM.
set -u
log() { echo "guest $(cut -d' ' -f1 /proc/uptime)s: $*"; }
# libvirtd first (its start is the slowest part under TCG), with none of this machine's pools, domains or networks:
# the guest sees the host's /etc/libvirt, and its copy is private to the guest.
rm -rf /etc/libvirt/storage /etc/libvirt/qemu /etc/libvirt/secrets /var/lib/libvirt/qemu /run/libvirt
mkdir -p /run/libvirt /var/log/libvirt
cat > /run/aim-libvirtd.conf <<'CONF'
listen_tls = 0
listen_tcp = 1
listen_addr = "0.0.0.0"
tcp_port = "16509"
auth_tcp = "none"
CONF
libvirtd -d --listen -f /run/aim-libvirtd.conf || { log "libvirtd did not start"; exit 1; }
log "libvirtd started"

# lockd refuses locks during its grace period after the server starts (50 s by default): keep it at 3 s, as on a
# server that has been up for a while. qemu-img locks the images it makes (NLM locks on NFSv3).
for m in $(cat /xfer/mod/order); do
  case $m in lockd) options="nlm_timeout=3 nlm_grace_period=3" ;; *) options= ;; esac
  [ -d "/sys/module/$m" ] || insmod "/xfer/mod/$m.ko" $options || { log "cannot load module $m"; exit 1; }
done
ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 || { log "no network"; exit 1; }

# The NFS server: rpcbind, the export table, mountd and the kernel's nfsd threads, and statd for the client's locks.
# NFSv3 in practice: a v4 mount of this export is refused with ENOENT (probably the v4 pseudo root over the guest's
# overlay root) and mount.nfs falls back to v3. nfsd's grace period (locks wait it out) is cut to its minimum, 10 s.
mkdir -p /run/rpcbind /var/lib/nfs/rpc_pipefs /var/lib/nfs/v4recovery /srv/aim-netfs-export /run/aim-lock-probe
mount -t nfsd nfsd /proc/fs/nfsd
mount -t rpc_pipefs rpc_pipefs /var/lib/nfs/rpc_pipefs
mount -t tmpfs -o size=64m,mode=755 aim-netfs-export /srv/aim-netfs-export
rpcbind -w || { log "rpcbind did not start"; exit 1; }
echo 10 > /proc/fs/nfsd/nfsv4gracetime
echo "/srv/aim-netfs-export 10.0.2.0/24(rw,no_root_squash,no_subtree_check,fsid=1)" > /etc/exports
exportfs -ra && rpc.mountd && rpc.nfsd 4 && rpc.statd --no-notify || { log "the NFS server did not start"; exit 1; }
showmount -e 10.0.2.15 || { log "the export is not visible"; exit 1; }
log "NFS server up"
# Ready only once a client can take a lock (the grace period is over), through a mount of its own.
mount -t nfs 10.0.2.15:/srv/aim-netfs-export /run/aim-lock-probe || { log "cannot mount the export"; exit 1; }
flock /run/aim-lock-probe/.aim-lock-probe true || { log "cannot lock a file on the export"; exit 1; }
rm -f /run/aim-lock-probe/.aim-lock-probe
umount /run/aim-lock-probe
log "NFS locks work"

i=0
until virsh -c qemu:///system version >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -lt 600 ] || { log "libvirtd does not answer"; exit 1; }
  sleep 0.1
done
log "libvirtd answers"
touch /xfer/ready

mkdir -p /xfer/req
while [ ! -e /xfer/stop ]; do
  for request in /xfer/req/*.sh; do
    [ -e "$request" ] || continue
    n=${request%.sh}
    sh "$request" > "$n.out" 2>&1
    echo $? > "$n.rc.tmp" && mv "$n.rc.tmp" "$n.rc"
    rm -f "$request"
  done
  sleep 0.1
done
log "stopping"
virsh -c qemu:///system pool-list --all --name | while read -r pool; do
  [ -n "$pool" ] && virsh -c qemu:///system pool-destroy "$pool" >/dev/null 2>&1
done
exit 0
