package com.abiquo.aim.rimp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.AimSettingsReader;
import com.abiquo.aim.core.config.ConfigException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every default and mapping of [rimp]. */
class RimpConfigTest {
    private static RimpConfig read(String ini) throws ConfigException {
        AimSettings settings = AimSettingsReader.read("aim.ini", new StringReader(ini));
        return RimpConfig.read(settings, Path.of("/etc/abiquo-aim"));
    }

    @Test
    void defaultsAreTheOriginals() throws Exception {
        RimpConfig config = read("");
        assertEquals(Path.of("/opt/vm_repository"), config.repository());
        assertFalse(config.autoBackup());
        assertFalse(config.autoRestore());
        assertEquals(List.of("ext2", "ext3", "ext4", "nfs", "nfs4", "xfs", "smbfs"), config.datastoreValidTypes());
        assertEquals(List.of(), config.datastores());
        assertEquals(64L << 30, config.uploadMaxBytes());
    }

    @Test
    void readsOldFilesAsTheirAuthorsMeantThem() throws Exception {
        RimpConfig config = read("[rimp]\nrepository = \"/srv/repo\"\nautoBackup = FALSE\nautoRestore = \"true\"\n"
                + "datastoreValidTypes = ext4, XFS ,nfs\n");
        assertEquals(Path.of("/srv/repo"), config.repository());
        assertFalse(config.autoBackup());
        assertTrue(config.autoRestore());
        assertEquals(List.of("ext4", "xfs", "nfs"), config.datastoreValidTypes());
    }

    @Test
    void relativePathsFollowTheConfigFolder() throws Exception {
        RimpConfig config = read("[rimp]\nrepository = ../run/repository\ndatastores = ../run/datastore, /data\n"
                + "uploadMaxBytes = 1048576 ; one MiB\n");
        assertEquals(Path.of("/etc/run/repository"), config.repository());
        assertEquals(List.of(Path.of("/etc/run/datastore"), Path.of("/data")), config.datastores());
        assertEquals(1 << 20, config.uploadMaxBytes());
    }

    @Test
    void refusesWhatCannotBeMeant() {
        ConfigException bool = assertThrows(ConfigException.class, () -> read("[rimp]\nautoBackup = maybe\n"));
        assertTrue(bool.getMessage().contains("[rimp] autoBackup"), bool.getMessage());
        assertThrows(ConfigException.class, () -> read("[rimp]\nuploadMaxBytes = lots\n"));
        assertThrows(ConfigException.class, () -> read("[rimp]\nuploadMaxBytes = 0\n"));
        assertThrows(ConfigException.class, () -> read("[rimp]\ndatastoreValidTypes = ext4;rm -rf\n"));
    }

    @Test
    void theSchemaDeclaresEveryKey() {
        var schema = RimpConfig.schema();
        for (String key : List.of("repository", "autoBackup", "autoRestore", "datastoreValidTypes", "datastores",
                "uploadMaxBytes", "autobackup")) {
            assertTrue(schema.hasKey("rimp", key), key);
        }
    }
}
