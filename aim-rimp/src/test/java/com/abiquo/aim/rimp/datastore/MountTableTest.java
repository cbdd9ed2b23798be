package com.abiquo.aim.rimp.datastore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The mount table parser and the datastore rule, on kernel-written and composed /proc/self/mounts text. */
class MountTableTest {
    /**
     * Verbatim /proc/self/mounts, captured on 2026-12-07 on AIM's CI machine (Debian 12, kernel 6.18) by
     * capture-mounts.sh (beside it): real ext3, ext4, xfs and tmpfs mounts, as the kernel writes them, at a path
     * with a space and one with a tab, under /boot and /var/lib/libvirt/images, and one mount point mounted twice.
     */
    private static final String CAPTURE = "proc-self-mounts.captured-2026-12-07.txt";

    /** Two well-formed lines around malformed ones (one, two and three fields, empty, blank); composed. */
    private static final String MALFORMED = "mounts-with-malformed-lines.composed.txt";

    /**
     * A KVM node's mounts, composed in the kernel's format (not a capture: NFS and SMB mounts cannot be made on the
     * CI machine) to cover every rule of the original AIM's datastore choice.
     */
    private static final List<String> KVM_NODE = List.of(
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
            "//filer/share /mnt/smb smbfs rw 0 0");

    private static final Set<String> DEFAULT_TYPES = Set.of("ext2", "ext3", "ext4", "nfs", "nfs4", "xfs", "smbfs");

    private static List<MountEntry> read(String resource) throws Exception {
        return MountTable.read(Path.of(MountTableTest.class.getResource(resource).toURI()));
    }

    @Test
    void readsTheKernelsOwnTextFieldByFieldWithItsOctalEscapes() throws Exception {
        List<MountEntry> entries = read(CAPTURE);
        assertEquals(9, entries.size(), "one entry per line of the capture");
        assertEquals(new MountEntry("/dev/loop4", "/mnt/my datastore", "ext3", Set.of("ro", "relatime")),
                entries.get(7));
        assertTrue(entries.get(7).readOnly());
        assertEquals(new MountEntry("scratch", "/mnt/tab\there", "tmpfs", Set.of("rw", "relatime", "size=1024k")),
                entries.get(8));
        assertEquals("/dev/loop2", entries.get(5).device());
        assertEquals("xfs", entries.get(5).type());
    }

    @Test
    void theCapturesDatastoresFollowTheOriginalRules() throws Exception {
        List<MountEntry> datastores = MountTable.datastores(read(CAPTURE), DEFAULT_TYPES);
        // the tmpfs root and proc are no datastore type; /boot and /var/lib/libvirt/images/pool1 are left out
        assertEquals(List.of("/usr", "/var/lib/virt", "/mnt/my datastore"),
                datastores.stream().map(MountEntry::mountPoint).toList());
        assertEquals("ext4", datastores.get(1).type(), "/var/lib/virt shows its last (visible) mount, not the xfs");
    }

    @Test
    void malformedLinesAreSkippedAndTheOthersRead() throws Exception {
        assertEquals(List.of("/var/lib/virt", "/mnt/last"), read(MALFORMED).stream().map(MountEntry::mountPoint)
                .toList(), "a line of one, two or three fields, an empty and a blank line are skipped");
    }

    @Test
    void datastoresFollowTheOriginalRules() {
        List<MountEntry> datastores = MountTable.datastores(MountTable.parse(KVM_NODE), DEFAULT_TYPES);
        List<String> points = datastores.stream().map(MountEntry::mountPoint).toList();
        // /boot and /var/lib/libvirt/images/... left out; sysfs/proc/tmpfs not valid types
        assertEquals(List.of("/", "/opt/vm_repository", "/mnt/my datastore", "/var/lib/virt", "/mnt/smb"), points);
        MountEntry virt = datastores.get(3);
        assertEquals("/dev/vde1", virt.device(), "a mount point mounted twice shows its last (visible) mount");
        assertEquals("ext4", virt.type());
        assertEquals("10.0.0.5:/opt/vm_repository", datastores.get(1).device());
    }

    @Test
    void onlyTheConfiguredTypesCount() {
        List<MountEntry> datastores = MountTable.datastores(MountTable.parse(KVM_NODE), Set.of("xfs"));
        assertEquals(List.of(), datastores, "/var/lib/virt is now ext4 (last mount)");
        assertEquals(List.of("/mnt/smb"), MountTable.datastores(MountTable.parse(KVM_NODE), Set.of("smbfs"))
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
