package com.abiquo.aim.rimp.datastore;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.copy.IoFailures;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The node's datastores: the folders of [rimp] datastores when set, otherwise the mounts of a valid type. Each is
 * identified by a {@code datastoreuuid.<uuid>} folder in it, made the first time the datastore is seen.
 */
public final class Datastores {
    private static final Logger LOG = LogManager.getLogger(Datastores.class);
    private static final String MARK_PREFIX = "datastoreuuid.";

    private final List<Path> explicit;
    private final Set<String> validTypes;
    private final Path mountTable;
    private final Set<Path> excluded;
    private final Object markLock = new Object();

    /**
     * @param explicit datastore folders from the config; empty to use the mount table
     * @param validTypes file system types that are datastores
     * @param mountTable normally {@link MountTable#PROC_MOUNTS}
     */
    public Datastores(List<Path> explicit, Set<String> validTypes, Path mountTable) {
        this(explicit, validTypes, mountTable, Set.of());
    }

    /** @param excluded mount points that are never datastores (the repository's own NFS mount) */
    public Datastores(List<Path> explicit, Set<String> validTypes, Path mountTable, Set<Path> excluded) {
        this.explicit = List.copyOf(explicit);
        this.validTypes = Set.copyOf(validTypes);
        this.mountTable = requireNonNull(mountTable, "mountTable is null");
        this.excluded = Set.copyOf(excluded);
    }

    /**
     * Whether a name is shaped like a datastore's mark (any case: a case-insensitive file system would list it). No
     * client path may name one: a client that could make a second mark would change the datastore's identity.
     */
    public static boolean isMarkName(String name) {
        return name.regionMatches(true, 0, MARK_PREFIX, 0, MARK_PREFIX.length());
    }

    /** Whether the datastores come from the mount table (no explicit [rimp] datastores). */
    public boolean fromMountTable() {
        return explicit.isEmpty();
    }

    /** The datastore folders as they are now (cheap: no marks, no sizes); used to confine client paths. */
    public List<Path> folders() throws AimException {
        if (!explicit.isEmpty()) {
            return explicit;
        }
        List<Path> folders = new ArrayList<>();
        for (MountEntry entry : mounts()) {
            folders.add(Path.of(entry.mountPoint()));
        }
        return folders;
    }

    /** Every datastore with its mark, device, type and sizes. Missing explicit folders are left out (and logged). */
    public List<DatastoreInfo> list() throws AimException {
        List<DatastoreInfo> datastores = new ArrayList<>();
        if (!explicit.isEmpty()) {
            for (Path folder : explicit) {
                if (!Files.isDirectory(folder)) {
                    LOG.warn("The datastore folder {} ([rimp] datastores) does not exist; not listed", folder);
                    continue;
                }
                try {
                    FileStore store = Files.getFileStore(folder);
                    datastores.add(describe(folder, store.name(), store.type(), store.isReadOnly()));
                } catch (IOException failure) {
                    throw IoFailures.map("cannot read the datastore " + folder, failure);
                }
            }
            return datastores;
        }
        for (MountEntry entry : mounts()) {
            datastores.add(describe(Path.of(entry.mountPoint()), entry.device(), entry.type(), entry.readOnly()));
        }
        return datastores;
    }

    private List<MountEntry> mounts() throws AimException {
        List<MountEntry> entries;
        try {
            entries = MountTable.datastores(MountTable.read(mountTable), validTypes);
        } catch (IOException failure) {
            throw IoFailures.map("cannot read the mount table " + mountTable, failure);
        }
        List<MountEntry> folders = new ArrayList<>();
        for (MountEntry entry : entries) {
            // containers bind-mount single files (/etc/hosts): only folders can hold images
            Path point = Path.of(entry.mountPoint());
            if (Files.isDirectory(point, LinkOption.NOFOLLOW_LINKS) && !excluded.contains(point)) {
                folders.add(entry);
            }
        }
        return folders;
    }

    private DatastoreInfo describe(Path folder, String device, String type, boolean readOnly) throws AimException {
        long total;
        long usable;
        try {
            FileStore store = Files.getFileStore(folder);
            total = store.getTotalSpace();
            usable = store.getUsableSpace();
        } catch (IOException failure) {
            throw IoFailures.map("cannot read the sizes of the datastore " + folder, failure);
        }
        return new DatastoreInfo(mark(folder, readOnly), device, folder, type, total, usable, readOnly);
    }

    /** The uuid of the folder's mark, making one when there is none; "" when none can be made. */
    String mark(Path folder, boolean readOnly) {
        synchronized (markLock) {
            TreeSet<String> found = new TreeSet<>();
            try (DirectoryStream<Path> marks = Files.newDirectoryStream(folder, MARK_PREFIX + "*")) {
                for (Path mark : marks) {
                    String uuid = mark.getFileName().toString().substring(MARK_PREFIX.length());
                    if (Files.isDirectory(mark, LinkOption.NOFOLLOW_LINKS) && isUuid(uuid)) {
                        found.add(uuid);
                    }
                }
            } catch (IOException failure) {
                LOG.warn("Cannot read the datastore folder {}: {}", folder, failure.getMessage());
                return "";
            }
            if (!found.isEmpty()) {
                if (found.size() > 1) {
                    LOG.warn("The datastore {} has {} uuid marks; using {}", folder, found.size(), found.first());
                }
                return found.first();
            }
            if (readOnly) {
                return "";
            }
            String uuid = UUID.randomUUID().toString();
            try {
                Files.createDirectory(folder.resolve(MARK_PREFIX + uuid));
                LOG.info("Marked the datastore {} with uuid {}", folder, uuid);
                return uuid;
            } catch (IOException failure) {
                LOG.warn("Cannot mark the datastore {}: {}", folder, failure.getMessage());
                return "";
            }
        }
    }

    private static boolean isUuid(String text) {
        try {
            return UUID.fromString(text).toString().equalsIgnoreCase(text);
        } catch (IllegalArgumentException notOne) {
            return false;
        }
    }
}
