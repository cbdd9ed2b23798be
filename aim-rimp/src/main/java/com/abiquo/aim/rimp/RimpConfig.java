package com.abiquo.aim.rimp;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigKey;
import com.abiquo.aim.core.config.ConfigSchema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The [rimp] section of aim.ini.
 *
 * @param repository the image repository folder (an NFS mount on real nodes)
 * @param autoBackup undeploy moves instances to {@code <datastore>/backup/} instead of deleting them
 * @param autoRestore deploy moves a backup back instead of copying from the repository
 * @param datastoreValidTypes file system types that count as datastores in the mount table
 * @param datastores explicit datastore folders; when not empty the mount table is not used
 * @param uploadMaxBytes the largest file Upload accepts
 * @param maxConcurrentCopies image copies (deploys, instance copies, disk instances) at once, queued ones included
 */
public record RimpConfig(Path repository, boolean autoBackup, boolean autoRestore, List<String> datastoreValidTypes,
                         List<Path> datastores, long uploadMaxBytes, int maxConcurrentCopies) {
    public static final String SECTION = "rimp";
    public static final String DEFAULT_REPOSITORY = "/opt/vm_repository";
    public static final List<String> DEFAULT_TYPES = List.of("ext2", "ext3", "ext4", "nfs", "nfs4", "xfs", "smbfs");
    public static final long DEFAULT_UPLOAD_MAX_BYTES = 64L << 30;
    public static final int DEFAULT_MAX_CONCURRENT_COPIES = 8;

    public RimpConfig {
        datastoreValidTypes = List.copyOf(datastoreValidTypes);
        datastores = List.copyOf(datastores);
    }

    public static ConfigSchema schema() {
        return new ConfigSchema().section(SECTION,
                new ConfigKey("repository", DEFAULT_REPOSITORY,
                        "image repository folder; must hold the mark file .abiquo_repository"),
                new ConfigKey("autoBackup", "false", "undeploy moves the instance to <datastore>/backup/"),
                new ConfigKey("autoRestore", "false", "deploy moves <datastore>/backup/<vm> back instead of copying"),
                new ConfigKey("datastoreValidTypes", String.join(",", DEFAULT_TYPES),
                        "file system types that are datastores (mount table)"),
                new ConfigKey("datastores", "", "explicit datastore folders (comma-separated); "
                        + "when set, the mount table is not used"),
                new ConfigKey("uploadMaxBytes", Long.toString(DEFAULT_UPLOAD_MAX_BYTES),
                        "largest file the Upload call accepts, in bytes"),
                new ConfigKey("maxConcurrentCopies", Integer.toString(DEFAULT_MAX_CONCURRENT_COPIES),
                        "image copies (CopyFromRepositoryToDatastore, CopyFromDatastoreToRepository, InstanceDisk) "
                                + "running or queued at once on this node; one more is refused with "
                                + "RESOURCE_EXHAUSTED"),
                // AIM 1.1-1.4's one local datastore folder
                ConfigKey.obsolete("datastore", "[rimp] datastores lists datastore folders (else the mount table "
                        + "and datastoreValidTypes find them)"));
    }

    public static RimpConfig read(AimSettings settings, Path configFolder) throws ConfigException {
        Path repository = settings.path(SECTION, "repository", configFolder)
                .orElse(Path.of(DEFAULT_REPOSITORY));
        boolean autoBackup = settings.bool(SECTION, "autoBackup", false);
        boolean autoRestore = settings.bool(SECTION, "autoRestore", false);
        List<String> types = new ArrayList<>();
        for (String type : settings.list(SECTION, "datastoreValidTypes", DEFAULT_TYPES)) {
            if (!type.matches("[A-Za-z0-9._-]+")) {
                throw settings.error(SECTION, "datastoreValidTypes", settings.string(SECTION,
                        "datastoreValidTypes", ""), "a comma-separated list of file system types such as ext4,xfs");
            }
            types.add(type.toLowerCase(Locale.ROOT));
        }
        List<Path> datastores = new ArrayList<>();
        for (String folder : settings.list(SECTION, "datastores", List.of())) {
            datastores.add(configFolder.resolve(folder).toAbsolutePath().normalize());
        }
        long uploadMax = settings.longValue(SECTION, "uploadMaxBytes", DEFAULT_UPLOAD_MAX_BYTES, 1, Long.MAX_VALUE);
        int maxCopies = settings.integer(SECTION, "maxConcurrentCopies", DEFAULT_MAX_CONCURRENT_COPIES, 1, 1024);
        return new RimpConfig(repository.toAbsolutePath().normalize(), autoBackup, autoRestore, types, datastores,
                uploadMax, maxCopies);
    }
}
