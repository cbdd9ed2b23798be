package com.abiquo.aim.rimp.image;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.FileErrors;
import com.abiquo.aim.core.error.CoreErrorReason;
import com.abiquo.aim.core.path.ConfinedRoot;
import com.abiquo.aim.rimp.RimpErrorReason;
import com.abiquo.aim.rimp.datastore.Datastores;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Resolves every path a client sends inside the repository or a datastore ({@link ConfinedRoot}), or refuses it
 * before anything is touched. Absolute paths are matched to the root that contains them (the longest one: the
 * repository usually lies inside the root file system, itself a datastore).
 */
public final class Roots {
    /**
     * Folders of the operating system that no image operation may touch when the datastores come from the mount
     * table: there the root file system is usually a datastore, and confinement to "/" alone would let a caller
     * write /etc/cron.d or /root/.ssh. Explicit [rimp] datastores are what the operator chose and need no list.
     */
    static final List<Path> SYSTEM_FOLDERS = List.of("/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
            "/libx32", "/boot", "/root", "/home", "/proc", "/sys", "/dev", "/run", "/var/run", "/var/spool",
            "/var/lib/dpkg", "/var/lib/apt", "/var/log", "/var/cache", "/var/mail", "/snap").stream()
            .map(Path::of).toList();

    private static final ConfinedRoot FILE_SYSTEM = fileSystemRoot();
    private static final int NAME_MAX_BYTES = 255;

    private final Repository repository;
    private final Datastores datastores;

    public Roots(Repository repository, Datastores datastores) {
        this.repository = requireNonNull(repository, "repository is null");
        this.datastores = requireNonNull(datastores, "datastores is null");
    }

    public Repository repository() {
        return repository;
    }

    /** A path relative to the repository (or absolute inside it). */
    public Path inRepository(String clientPath, String field) throws AimException {
        return refuseMarks(repository.root(), repository.root().resolve(clientPath, field), clientPath, field);
    }

    /** An existing folder inside a datastore, given as an absolute path. */
    public Path datastoreFolder(String clientPath, String field) throws AimException {
        Path absolute = absolute(clientPath, field);
        if (longestMatch(absolute, List.of(repository.folder(), realOrSelf(repository.folder()))) != null) {
            // undeploy deletes and deploy replaces: never on the shared repository, even under a "/" datastore
            throw outside(clientPath, field, "is inside the repository " + repository.folder()
                    + ", which is not a datastore");
        }
        Path datastore = longestMatch(absolute, datastoreFolders());
        if (datastore == null) {
            throw outside(clientPath, field, "is not inside any datastore " + datastoreFolders());
        }
        Path folder = guardSystemFolders(resolveUnder(confined(datastore), datastore, absolute, field), clientPath,
                field);
        if (longestMatch(folder, List.of(realOrSelf(repository.folder()))) != null) {
            // the same rule on the real path: a symbolic link inside a datastore must not lead into the repository
            throw outside(clientPath, field, "leads into the repository " + repository.folder()
                    + ", which is not a datastore");
        }
        if (!Files.isDirectory(folder)) {
            throw new AimException(Status.Code.NOT_FOUND, RimpErrorReason.DATASTORE_FOLDER_NOT_FOUND,
                    field + " \"" + clientPath
                    + "\" is not an existing folder", Map.of("field", field), null);
        }
        return folder;
    }

    /** An absolute path inside the repository or a datastore. */
    public Path anywhere(String clientPath, String field) throws AimException {
        Path absolute = absolute(clientPath, field);
        List<Path> folders = datastoreFolders();
        Path datastore = longestMatch(absolute, folders);
        Path repositoryMatch = longestMatch(absolute, List.of(repository.folder(), realOrSelf(repository.folder())));
        Path resolved;
        if (repositoryMatch != null && (datastore == null
                || repositoryMatch.getNameCount() >= datastore.getNameCount())) {
            resolved = resolveUnder(repository.root(), repositoryMatch, absolute, field);
        } else if (datastore == null) {
            throw outside(clientPath, field, "is neither inside the repository " + repository.folder()
                    + " nor inside a datastore " + folders);
        } else {
            resolved = guardSystemFolders(resolveUnder(confined(datastore), datastore, absolute, field), clientPath,
                    field);
        }
        if (resolved.getFileName() == null) {
            // "/" as a datastore (from the mount table) must not make the root itself a file to write or rename
            throw invalid(field, clientPath, "names the root of the file system, not a file");
        }
        return resolved;
    }

    /**
     * An absolute path inside the repository or a datastore whose last name AIM may create, move or remove: a plain
     * name ({@link #fileName}), so never the repository's mark, nor a name shaped like AIM's own temporaries (which
     * the start-up sweep deletes).
     */
    public Path managedFile(String clientPath, String field) throws AimException {
        Path resolved = anywhere(clientPath, field);
        fileName(resolved.getFileName().toString(), field);
        return resolved;
    }

    /**
     * {@code <datastore folder>/<vm uuid>}, the instance that deploy replaces and undeploy deletes. Checked like any
     * client path: with "/" as a datastore from the mount table, vm_uuid "lib64" must not name /lib64.
     */
    public Path instance(Path datastoreFolder, String vmUuid, String field) throws AimException {
        Path instance = datastoreFolder.resolve(fileName(vmUuid, field));
        return guardSystemFolders(instance, instance.toString(), field);
    }

    private Path guardSystemFolders(Path resolved, String clientPath, String field) throws AimException {
        if (datastores.fromMountTable()) {
            for (Path system : SYSTEM_FOLDERS) {
                if (resolved.startsWith(system)) {
                    throw outside(clientPath, field, "is inside the system folder " + system + "; datastores "
                            + "from the mount table never reach there (list the datastore folders in [rimp] "
                            + "datastores)");
                }
            }
        }
        return resolved;
    }

    /**
     * A single file name (vm_uuid, snapshot): no separators, not hidden, no control characters, at most 255 bytes
     * in UTF-8 (the file systems' limit for one name: checked here, not by a rename after the whole copy).
     */
    public static String fileName(String value, String field) throws AimException {
        if (value == null || value.isEmpty()) {
            throw invalid(field, value, "is empty");
        }
        if (value.length() > 200) {
            throw invalid(field, value, "is longer than 200 characters");
        }
        if (value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > NAME_MAX_BYTES) {
            throw invalid(field, value, "is longer than " + NAME_MAX_BYTES + " bytes in UTF-8 (the file system's "
                    + "limit for one name)");
        }
        if (value.startsWith(".")) {
            throw invalid(field, value, "starts with '.' (hidden names and '..' are refused)");
        }
        if (isMark(value)) {
            throw invalid(field, value, "is shaped like AIM's own datastore mark (datastoreuuid.<uuid>), never a "
                    + "client's name");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '/' || c == '\\' || Character.isISOControl(c)) {
                throw invalid(field, value, "must be a single file name without '/', '\\' or control characters");
            }
        }
        return value;
    }

    private List<Path> datastoreFolders() throws AimException {
        List<Path> folders = new ArrayList<>();
        for (Path folder : datastores.folders()) {
            folders.add(folder);
            Path real = realOrSelf(folder);
            if (!real.equals(folder)) {
                folders.add(real);
            }
        }
        return folders;
    }

    /**
     * A client's absolute path, normalized, before any root is chosen. The syntax checks (empty, NUL byte, not a
     * path, '..' segments) are ConfinedRoot's own: the file system's root confines nothing, it only checks.
     */
    private static Path absolute(String clientPath, String field) throws AimException {
        FILE_SYSTEM.resolve(clientPath, field);
        Path path = Path.of(clientPath);
        if (!path.isAbsolute()) {
            throw invalid(field, clientPath, "must be an absolute path");
        }
        return path.normalize();
    }

    private static ConfinedRoot fileSystemRoot() {
        try {
            return ConfinedRoot.of(Path.of("/"));
        } catch (IOException impossible) {
            throw new IllegalStateException("the root folder / cannot be resolved", impossible);
        }
    }

    private static Path longestMatch(Path path, List<Path> roots) {
        Path best = null;
        for (Path root : roots) {
            if (path.startsWith(root) && (best == null || root.getNameCount() > best.getNameCount())) {
                best = root;
            }
        }
        return best;
    }

    /**
     * Resolves an absolute path matched to {@code spelledRoot}, the root as aim.ini (or the mount table) spells it.
     * ConfinedRoot compares real paths, so a root configured through a symbolic link (datastores = /var/lib/virt ->
     * /data/virt) would refuse its own paths: the part below the root is re-anchored on the real root first.
     */
    private static Path resolveUnder(ConfinedRoot confined, Path spelledRoot, Path absolute, String field)
            throws AimException {
        return refuseMarks(confined, confined.resolve(confined.root().resolve(spelledRoot.relativize(absolute))
                .toString(), field), absolute.toString(), field);
    }

    /**
     * Refuses a path that names one of AIM's marks below its root (checked on the resolved path, so a link to a
     * mark is refused too): a datastore's {@code datastoreuuid.<uuid>} folder or the repository's mark file.
     */
    private static Path refuseMarks(ConfinedRoot confined, Path resolved, String clientPath, String field)
            throws AimException {
        for (Path name : confined.root().relativize(resolved)) {
            if (isMark(name.toString())) {
                throw invalid(field, clientPath, "names \"" + name + "\", which is AIM's own mark (a datastore's "
                        + "datastoreuuid.<uuid> or the repository's " + Repository.MARK + "), never a client's");
            }
        }
        return resolved;
    }

    private static boolean isMark(String name) {
        return Datastores.isMarkName(name) || name.equals(Repository.MARK);
    }

    private static ConfinedRoot confined(Path datastore) throws AimException {
        try {
            return ConfinedRoot.of(datastore);
        } catch (IOException failure) {
            throw new AimException(Status.Code.NOT_FOUND, RimpErrorReason.DATASTORE_NOT_FOUND,
                    "the datastore " + datastore
                    + " cannot be used: " + FileErrors.reason(failure), Map.of("datastore", datastore.toString()), null);
        }
    }

    private static Path realOrSelf(Path folder) {
        try {
            return folder.toRealPath();
        } catch (IOException missing) {
            return folder;
        }
    }

    private static AimException invalid(String field, String value, String why) {
        String shown = value == null ? "" : value.replace("\0", "\\0");
        return new AimException(Status.Code.INVALID_ARGUMENT, CoreErrorReason.INVALID_PATH,
                field + " \"" + shown + "\" " + why,
                Map.of("field", field), null);
    }

    private static AimException outside(String clientPath, String field, String why) {
        return new AimException(Status.Code.PERMISSION_DENIED, CoreErrorReason.PATH_OUTSIDE_ROOT,
                field + " \"" + clientPath
                + "\" " + why, Map.of("field", field), null);
    }
}
