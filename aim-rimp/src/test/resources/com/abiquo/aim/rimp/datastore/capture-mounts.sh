#!/bin/sh
# Captures a verbatim /proc/self/mounts holding the mounts MountTableTest needs (as root): in a private mount
# namespace, a fresh root (a tmpfs) with /usr bound in, real ext3, ext4, xfs and tmpfs mounts at a datastore path with a
# space and a tab, under /boot, under /var/lib/libvirt/images, and one mount point mounted twice; then
# "cat /proc/self/mounts" chrooted there, so the table lists only those (the kernel hides mounts outside the root).
# Nothing outside the namespace changes. Usage: capture-mounts.sh > proc-self-mounts.<where>.<when>.txt
set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
truncate -s 64M "$work/ext4.img" "$work/second.img" "$work/ext3.img" "$work/pool.img"
truncate -s 300M "$work/xfs.img" # the smallest XFS mkfs.xfs makes (sparse)
mkfs.ext4 -q -F "$work/ext4.img"
mkfs.ext4 -q -F "$work/second.img"
mkfs.ext3 -q -F "$work/ext3.img"
mkfs.ext4 -q -F "$work/pool.img"
mkfs.xfs -q -f "$work/xfs.img"
unshare --mount --propagation private sh -eu -c '
work=$1
root=$work/root
mkdir "$root"
mount -t tmpfs -o size=16m rootfs "$root"
mkdir -p "$root/usr" "$root/proc" "$root/boot" "$root/var/lib/libvirt/images/pool1" "$root/var/lib/virt" \
    "$root/mnt/my datastore" "$(printf "$root/mnt/tab\there")"
ln -s usr/bin "$root/bin"; ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"
mount --bind /usr "$root/usr"
mount -t proc proc "$root/proc"
mount -o loop "$work/ext4.img" "$root/boot"
mount -o loop "$work/pool.img" "$root/var/lib/libvirt/images/pool1"
mount -o loop "$work/xfs.img" "$root/var/lib/virt"
mount -o loop "$work/second.img" "$root/var/lib/virt"
mount -o loop,ro "$work/ext3.img" "$root/mnt/my datastore"
mount -t tmpfs -o size=1m scratch "$(printf "$root/mnt/tab\there")"
chroot "$root" cat /proc/self/mounts
' sh "$work"
