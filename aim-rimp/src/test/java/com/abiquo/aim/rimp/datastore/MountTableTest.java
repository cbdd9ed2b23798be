package com.abiquo.aim.rimp.datastore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The mount table parser and the datastore rule, on captured /proc/self/mounts text. */
class MountTableTest {
    // Captured from a KVM node (plus this machine's container lines), verbatim.
    private static final List<String> CAPTURED = List.of(
            "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0",
            "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0",
            "/dev/mapper/vg0-root / ext4 rw,relatime,errors=remount-ro 0 0",
            "/dev/vda1 /boot ext4 rw,relatime 0 0",
            "/dev/vdb1 /var/lib/virt xfs rw,relatime,attr2,inode64,noquota 0 0",
            "10.0.0.5:/opt/vm_repository /opt/vm_repository nfs4 rw,relatime,vers=4.2,rsize=1048576 0 0",
            "/dev/vdc1 /var/lib/libvirt/images/pool1 ext4 rw,relatime 0 0",
            "/dev/vdd1 /mnt/my\\040datastore ext3 ro,relatime 0 0",
            "tmpfs /run tmpfs rw,nosuid,nodev,size=1618332k,mode=755 0 0",
            "/dev/vde1 /var/lib/virt ext4 rw,relatime 0 0",
            "//filer/share /mnt/smb smbfs rw 0 0",
            "garbage");

    @Test
    void parsesFieldsAndOctalEscapes() {
        List<MountEntry> entries = MountTable.parse(CAPTURED);
        assertEquals(11, entries.size(), "the malformed line is skipped");
        MountEntry spaced = entries.get(7);
        assertEquals("/mnt/my datastore", spaced.mountPoint());
        assertEquals("ext3", spaced.type());
        assertTrue(spaced.readOnly());
        assertEquals("10.0.0.5:/opt/vm_repository", entries.get(5).device());
    }

    @Test
    void datastoresFollowTheOriginalRules() {
        List<MountEntry> datastores = MountTable.datastores(MountTable.parse(CAPTURED),
                Set.of("ext2", "ext3", "ext4", "nfs", "nfs4", "xfs", "smbfs"));
        List<String> points = datastores.stream().map(MountEntry::mountPoint).toList();
        // /boot and /var/lib/libvirt/images/... left out; sysfs/proc/tmpfs not valid types
        assertEquals(List.of("/", "/opt/vm_repository", "/mnt/my datastore", "/var/lib/virt", "/mnt/smb"), points);
        MountEntry virt = datastores.get(3);
        assertEquals("/dev/vde1", virt.device(), "a mount point mounted twice shows its last (visible) mount");
        assertEquals("ext4", virt.type());
    }

    @Test
    void onlyTheConfiguredTypesCount() {
        List<MountEntry> datastores = MountTable.datastores(MountTable.parse(CAPTURED), Set.of("xfs"));
        assertEquals(List.of(), datastores, "/var/lib/virt is now ext4 (last mount)");
        assertEquals(List.of("/mnt/smb"), MountTable.datastores(MountTable.parse(CAPTURED), Set.of("smbfs"))
                .stream().map(MountEntry::mountPoint).toList());
    }

    @Test
    void unescapesOnlyOctalTriplets() {
        assertEquals("a b\tc\\d", MountTable.unescape("a\\040b\\011c\\134d"));
        assertEquals("a\\x", MountTable.unescape("a\\x"));
        assertEquals("end\\04", MountTable.unescape("end\\04"));
    }

    @Test
    void unescapesAnOctalTripletAtTheVeryEnd() {
        assertEquals("/mnt/trailing ", MountTable.unescape("/mnt/trailing\\040"));
        assertEquals("/mnt/x ", MountTable.parse(List.of("/dev/vdf1 /mnt/x\\040 xfs rw 0 0")).get(0).mountPoint());
    }

    /**
     * Found by MountTableFuzzTest: the kernel escapes only space, tab, newline and backslash in /proc/self/mounts,
     * so a vertical tab, '\r', a leading '#' or a Unicode space are part of a device or mount point; splitting on
     * any white space (and on '\r' as a line end) read such mounts wrong or dropped them.
     */
    @Test
    void keepsCharactersTheKernelDoesNotEscape(@org.junit.jupiter.api.io.TempDir java.nio.file.Path folder)
            throws java.io.IOException {
        java.nio.file.Path table = folder.resolve("mounts");
        java.nio.file.Files.writeString(table, "\\012\u000b /mnt/a\rb ext4 rw 0 0\n"
                + "#share /mnt/\u2003x nfs4 rw 0 0\n", java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(List.of(new MountEntry("\n\u000b", "/mnt/a\rb", "ext4", Set.of("rw")),
                new MountEntry("#share", "/mnt/\u2003x", "nfs4", Set.of("rw"))), MountTable.read(table));
    }
}
