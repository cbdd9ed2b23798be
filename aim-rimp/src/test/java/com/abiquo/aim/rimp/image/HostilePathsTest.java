package com.abiquo.aim.rimp.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.TestFiles;
import com.abiquo.aim.rimp.copy.CopyControl;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way out of the roots that a client could try, through every operation that takes a path: each is refused
 * with INVALID_ARGUMENT or PERMISSION_DENIED, and nothing outside (nor inside) is touched.
 */
class HostilePathsTest {
    private static final Set<Status.Code> REFUSALS = Set.of(Status.Code.INVALID_ARGUMENT,
            Status.Code.PERMISSION_DENIED);

    @TempDir
    Path folder;
    private Fixture fixture;
    private ImageOperations operations;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new Fixture(folder);
        operations = fixture.operations(true, true);
        TestFiles.dense(fixture.repository.resolve("images/disk.raw"), 4096, 1);
        TestFiles.dense(fixture.datastore.resolve("vm1"), 4096, 2);
        Files.createSymbolicLink(fixture.repository.resolve("escape"), fixture.outside);
        Files.createSymbolicLink(fixture.datastore.resolve("escape"), fixture.outside);
        Files.createSymbolicLink(fixture.datastore.resolve("secretlink"), fixture.outside.resolve("secret"));
        Files.createSymbolicLink(fixture.datastore.resolve("dangling"), folder.resolve("nowhere/x"));
    }

    /** Absolute paths (for fields that take them) that must never be accepted. */
    private List<String> hostileAbsolute() {
        String ds = fixture.datastore.toString();
        String repo = fixture.repository.toString();
        return List.of("", " ", "relative/path", "vm1", ds + "/../outside/secret", ds + "/a/../../outside",
                repo + "/../outside/secret", ds + "/vm1\0/x", "\0", fixture.outside + "/secret", "/etc/passwd",
                "/", "/proc/self/environ", ds + "/escape/secret", ds + "/escape/new", ds + "/secretlink",
                repo + "/escape/secret", ds + "/dangling", ds + "/dangling/new", ds + "2/../datastore/vm1",
                fixture.outside.toString());
    }

    /** Repository-relative paths that must never be accepted. */
    private List<String> hostileRelative() {
        return List.of("", "../outside/secret", "images/../../outside/secret", "escape/secret", "escape",
                fixture.outside + "/secret", "/etc/passwd", "images/disk.raw\0", "..");
    }

    /** vm_uuid and snapshot names that must never be accepted. */
    private static List<String> hostileNames() {
        return List.of("", ".", "..", "../x", "a/b", "/etc/passwd", ".hidden", "x\0y", "x\ny", "a\\b");
    }

    private interface Call {
        void run(String value) throws Exception;
    }

    private void assertAllRefused(String what, List<String> values, Call call) throws Exception {
        List<String> accepted = new ArrayList<>();
        for (String value : values) {
            try {
                call.run(value);
                accepted.add(value);
            } catch (AimException refused) {
                if (!REFUSALS.contains(refused.code())) {
                    accepted.add(value + " (" + refused.code() + ": " + refused.getMessage() + ")");
                }
            }
        }
        assertEquals(List.of(), accepted, what + ": hostile values that were not refused");
    }

    @Test
    void everyOperationRefusesEveryHostilePath() throws Exception {
        String ds = fixture.datastore.toString();
        assertAllRefused("GetDiskFileSize", hostileAbsolute(), path -> operations.diskFileSize(path));
        assertAllRefused("deploy repository_path", hostileRelative(),
                path -> operations.deploy(path, ds, "vmx", false, CopyControl.none()));
        assertAllRefused("deploy datastore_path", hostileAbsolute(),
                path -> operations.deploy("images/disk.raw", path, "vmx", false, CopyControl.none()));
        assertAllRefused("deploy vm_uuid", hostileNames(),
                name -> operations.deploy("images/disk.raw", ds, name, false, CopyControl.none()));
        assertAllRefused("undeploy datastore_path", hostileAbsolute(), path -> operations.undeploy(path, "vm1"));
        assertAllRefused("undeploy vm_uuid", hostileNames(), name -> operations.undeploy(ds, name));
        assertAllRefused("snapshot destination", hostileRelative().subList(1, hostileRelative().size()),
                path -> operations.snapshot("vm1", "snap", path, ds, false, CopyControl.none()));
        assertAllRefused("snapshot name", hostileNames(),
                name -> operations.snapshot("vm1", name, "snaps", ds, false, CopyControl.none()));
        assertAllRefused("snapshot of an instance that links out", List.of("secretlink", "dangling"),
                name -> operations.snapshot(name, "snap", "snaps", ds, false, CopyControl.none()));
        assertAllRefused("snapshot source_datastore_path", hostileAbsolute(),
                path -> operations.snapshot("vm1", "snap", "snaps", path, false, CopyControl.none()));
        assertAllRefused("instance source", hostileAbsolute(),
                path -> operations.instanceDisk(path, ds + "/copy", false, CopyControl.none()));
        assertAllRefused("instance destination", hostileAbsolute(),
                path -> operations.instanceDisk(ds + "/vm1", path, false, CopyControl.none()));
        assertAllRefused("rename old_path", hostileAbsolute(), path -> operations.rename(path, ds + "/renamed",
                CopyControl.none()));
        assertAllRefused("rename new_path", hostileAbsolute(), path -> operations.rename(ds + "/vm1", path,
                CopyControl.none()));
        assertAllRefused("upload path", hostileAbsolute(), path -> fixture.uploads(1 << 20).begin(path, 10, ""));

        assertEquals("secret", Files.readString(fixture.outside.resolve("secret")));
        assertEquals(List.of("", "secret"), TestFiles.names(fixture.outside), "nothing written outside");
        assertTrue(Files.exists(fixture.datastore.resolve("vm1")), "nothing inside was removed either");
        assertEquals(List.of("", "dangling", "escape", "secretlink", "vm1"), TestFiles.names(fixture.datastore));
    }

    @Test
    void anInstanceThatIsALinkIsNeitherReplacedNorDeleted() throws Exception {
        String ds = fixture.datastore.toString();
        Path folderOutside = Files.createDirectory(fixture.outside.resolve("folder"));
        Files.createSymbolicLink(fixture.datastore.resolve("vm-folder-link"), folderOutside);
        for (ImageOperations anyMode : List.of(fixture.operations(false, false), fixture.operations(true, false),
                fixture.operations(true, true))) {
            for (String link : List.of("secretlink", "vm-folder-link", "dangling")) {
                AimException deploy = assertThrows(AimException.class, () -> anyMode.deploy("images/disk.raw", ds,
                        link, false, CopyControl.none()));
                assertEquals("INSTANCE_IS_LINK", deploy.reason().name(), deploy.getMessage());
                assertEquals(Status.Code.FAILED_PRECONDITION, deploy.code());
                AimException undeploy = assertThrows(AimException.class, () -> anyMode.undeploy(ds, link));
                assertEquals("INSTANCE_IS_LINK", undeploy.reason().name(), undeploy.getMessage());
                assertTrue(Files.isSymbolicLink(fixture.datastore.resolve(link)), link + " is still there");
            }
        }
        assertEquals("secret", Files.readString(fixture.outside.resolve("secret")));
        assertTrue(Files.isDirectory(folderOutside));
        assertEquals(List.of("", "dangling", "escape", "secretlink", "vm-folder-link", "vm1"),
                TestFiles.names(fixture.datastore), "no backup folder, no temporary");
    }

    @Test
    void renameAndInstanceOnlyMakeOrMovePlainNames() throws Exception {
        String ds = fixture.datastore.toString();
        String mark = fixture.repository.resolve(Repository.MARK).toString();
        // moving the repository's mark would make the shared repository unusable on every node
        assertAllRefused("rename of hidden files", List.of(mark),
                path -> operations.rename(path, fixture.repository + "/mark", CopyControl.none()));
        // a name shaped like a temporary would be deleted by the next start-up sweep
        List<String> hidden = List.of(ds + "/.vm2", ds + "/.1.aim-tmp-0123456789abcdef-0123456789abcdef",
                fixture.repository + "/" + Repository.MARK + "2");
        assertAllRefused("rename to hidden names", hidden,
                path -> operations.rename(ds + "/vm1", path, CopyControl.none()));
        assertAllRefused("instance to hidden names", hidden,
                path -> operations.instanceDisk(ds + "/vm1", path, false, CopyControl.none()));
        assertTrue(Files.exists(fixture.repository.resolve(Repository.MARK)));
        assertEquals(List.of("", "dangling", "escape", "secretlink", "vm1"), TestFiles.names(fixture.datastore));
    }

    @Test
    void aNameTooLongForTheFileSystemIsRefusedBeforeTheCopy() throws Exception {
        String ds = fixture.datastore.toString();
        String long300Bytes = "\u00e9".repeat(150); // 150 characters, 300 bytes in UTF-8 (the limit is 255)
        AimException refused = assertThrows(AimException.class, () -> operations.deploy("images/disk.raw", ds,
                long300Bytes, false, CopyControl.none()));
        assertEquals(Status.Code.INVALID_ARGUMENT, refused.code(), refused.getMessage());
        assertTrue(refused.getMessage().contains("255 bytes"), refused.getMessage());
        assertAllRefused("long names elsewhere", List.of(ds + "/" + long300Bytes),
                path -> operations.instanceDisk(ds + "/vm1", path, false, CopyControl.none()));
        assertEquals(List.of("", "dangling", "escape", "secretlink", "vm1"), TestFiles.names(fixture.datastore));
    }

    /**
     * A folder name over 255 bytes anywhere in a destination (not only its last name), or a path over 4095 bytes:
     * the client's INVALID_ARGUMENT naming the field, up front, in every operation that writes one. Before, the
     * copy or mkdir met "File name too long" and the client saw INTERNAL IO_ERROR.
     */
    @Test
    void folderNamesAndPathsOverTheKernelLimitsAreInvalidArgumentsEverywhere() throws Exception {
        String ds = fixture.datastore.toString();
        String longFolder = "f".repeat(256);
        String longPath = ds + ("/" + "p".repeat(250)).repeat(17) + "/disk.raw";
        Map<String, Call> operationsByName = new LinkedHashMap<>();
        operationsByName.put("CopyFromDatastoreToRepository destination_repository_path", value -> operations
                .snapshot("vm1", "snap", value, ds, false, CopyControl.none()));
        operationsByName.put("InstanceDisk destination", value -> operations.instanceDisk(ds + "/vm1", value, false,
                CopyControl.none()));
        operationsByName.put("RenameDisk new_path", value -> operations.rename(ds + "/vm1", value,
                CopyControl.none()));
        operationsByName.put("Upload path", value -> fixture.uploads(1 << 20).begin(value, 10, ""));
        for (Map.Entry<String, Call> operation : operationsByName.entrySet()) {
            boolean relative = operation.getKey().startsWith("CopyFromDatastoreToRepository");
            List<String> values = relative
                    ? List.of(longFolder + "/snaps", "a/" + longFolder, "p".repeat(250) + ("/" + "p".repeat(250))
                            .repeat(17))
                    : List.of(ds + "/" + longFolder + "/disk.raw", ds + "/a/" + longFolder + "/b/disk.raw", longPath);
            for (String value : values) {
                AimException refused = assertThrows(AimException.class, () -> operation.getValue().run(value),
                        operation.getKey());
                assertEquals(Status.Code.INVALID_ARGUMENT, refused.code(), operation.getKey() + ": "
                        + refused.getMessage());
                assertTrue(Set.of("NAME_TOO_LONG", "PATH_TOO_LONG").contains(refused.reason().name()),
                        operation.getKey()
                        + ": " + refused.reason() + " " + refused.getMessage());
            }
        }
        assertTrue(Files.exists(fixture.datastore.resolve("vm1")), "the source is still there");
        assertEquals(List.of("", "dangling", "escape", "secretlink", "vm1"), TestFiles.names(fixture.datastore));
    }

    @Test
    void aConfiguredDatastoreThatIsMissingIsNamedWithWhatIsWrong() {
        Path missing = folder.resolve("unmounted-datastore");
        Roots roots = new Roots(new Repository(fixture.repository), new com.abiquo.aim.rimp.datastore.Datastores(
                List.of(missing), Set.of(), com.abiquo.aim.rimp.datastore.MountTable.PROC_MOUNTS));
        ImageOperations onMissing = new ImageOperations(roots, new com.abiquo.aim.rimp.copy.ImageCopier(
                fixture.temporaries), fixture.locks, false, false);
        AimException failure = assertThrows(AimException.class, () -> onMissing.deploy("images/disk.raw",
                missing.toString(), "vm-x", false, CopyControl.none()));
        assertEquals(Status.Code.NOT_FOUND, failure.code());
        // the reason in words, not the JDK's text, which for a missing file is the path again
        assertEquals("the datastore " + missing + " cannot be used: no such file or folder", failure.getMessage());
    }

    @Test
    void rootsConfiguredThroughLinksAcceptTheirOwnPathsAndStillConfine() throws Exception {
        // [rimp] repository = .../repolink, datastores = .../dslink, both symbolic links to the real folders
        Path repositoryLink = Files.createSymbolicLink(folder.resolve("repolink"), fixture.repository);
        Path datastoreLink = Files.createSymbolicLink(folder.resolve("dslink"), fixture.datastore);
        Roots linked = new Roots(new Repository(repositoryLink), new com.abiquo.aim.rimp.datastore.Datastores(
                List.of(datastoreLink), Set.of(), com.abiquo.aim.rimp.datastore.MountTable.PROC_MOUNTS));
        ImageOperations throughLinks = new ImageOperations(linked, new com.abiquo.aim.rimp.copy.ImageCopier(
                fixture.temporaries), fixture.locks, false, false);
        String ds = datastoreLink.toString();

        throughLinks.deploy("images/disk.raw", ds, "vm-linked", false, CopyControl.none());
        assertEquals(4096, throughLinks.diskFileSize(repositoryLink + "/images/disk.raw").sizeBytes());
        assertEquals(4096, throughLinks.diskFileSize(ds + "/vm-linked").sizeBytes());
        throughLinks.instanceDisk(ds + "/vm-linked", ds + "/copies/vm-copy", false, CopyControl.none());
        assertTrue(Files.exists(fixture.datastore.resolve("copies/vm-copy")));
        assertTrue(throughLinks.undeploy(ds, "vm-linked").instanceFound());

        assertAllRefused("the same hostile paths, spelled through the links", List.of(ds + "/escape/secret",
                ds + "/secretlink", ds + "/../outside/secret", repositoryLink + "/escape/secret", ds + "/dangling/x"),
                path -> throughLinks.instanceDisk(ds + "/vm1", path, false, CopyControl.none()));
        assertEquals(List.of("", "secret"), TestFiles.names(fixture.outside));
    }

    @Test
    void theRepositoryIsNeverADatastoreEvenInsideOne() throws Exception {
        // as on a node whose datastore is "/" and whose repository is mounted at /opt/vm_repository
        Roots wide = new Roots(new Repository(fixture.repository), new com.abiquo.aim.rimp.datastore.Datastores(
                List.of(folder), Set.of(), com.abiquo.aim.rimp.datastore.MountTable.PROC_MOUNTS));
        ImageOperations overWide = new ImageOperations(wide, new com.abiquo.aim.rimp.copy.ImageCopier(
                fixture.temporaries), fixture.locks, false, false);
        String images = fixture.repository + "/images";

        assertAllRefused("undeploy in the repository", List.of(images, fixture.repository.toString()),
                path -> overWide.undeploy(path, "disk.raw"));
        assertAllRefused("deploy into the repository", List.of(images),
                path -> overWide.deploy("images/disk.raw", path, "disk.raw", false, CopyControl.none()));

        assertTrue(Files.exists(fixture.repository.resolve("images/disk.raw")));
        overWide.deploy("images/disk.raw", fixture.datastore.toString(), "vm9", false, CopyControl.none());
        assertTrue(Files.exists(fixture.datastore.resolve("vm9")), "the wide datastore itself still works");
    }

    @Test
    void withTheRootFileSystemAsADatastoreSystemFoldersAreStillRefused() throws Exception {
        // the default mode: datastores from the mount table, where "/" is an ext4 datastore
        Path table = Files.writeString(folder.resolve("mounts"), "/dev/vda / ext4 rw 0 0\n");
        Roots rootFs = new Roots(new Repository(fixture.repository), new com.abiquo.aim.rimp.datastore.Datastores(
                List.of(), Set.of("ext4"), table));
        ImageOperations operations = new ImageOperations(rootFs, new com.abiquo.aim.rimp.copy.ImageCopier(
                fixture.temporaries), fixture.locks, false, false);

        assertAllRefused("deploy into system folders", List.of("/etc", "/etc/cron.d", "/root", "/usr/bin",
                "/var/spool/cron", "/boot", "/home", "/proc/self"),
                path -> operations.deploy("images/disk.raw", path, "evil", false, CopyControl.none()));
        assertAllRefused("undeploy in system folders", List.of("/etc", "/usr/bin", "/root"),
                path -> operations.undeploy(path, "passwd"));
        assertAllRefused("upload into system folders", List.of("/etc/cron.d/evil", "/root/.ssh/authorized_keys",
                "/var/spool/cron/crontabs/root"), path -> fixture.uploads(100).begin(path, 1, ""));
        assertAllRefused("read system files", List.of("/etc/shadow", "/root/.bash_history"),
                path -> operations.diskFileSize(path));
        // the instance <datastore>/<vm_uuid> is checked too: "/" + "lib64" is /lib64, the program loader's folder
        // (only Roots is called here: on a regression the operations would really delete these)
        assertAllRefused("instances that are system folders", List.of("bin", "sbin", "lib", "lib64", "etc", "usr",
                "boot", "root", "home"), name -> rootFs.instance(Path.of("/"), name, "vm_uuid"));
        assertAllRefused("an instance under /var that is a system folder", List.of("run", "log", "spool"),
                name -> rootFs.instance(Path.of("/var"), name, "vm_uuid"));

        // an ordinary folder of the root file system is a datastore folder, as in the original
        operations.deploy("images/disk.raw", fixture.datastore.toString(), "vm-root", false, CopyControl.none());
        assertTrue(Files.exists(fixture.datastore.resolve("vm-root")));
        assertTrue(Files.notExists(Path.of("/etc/cron.d/evil")));
    }
}
