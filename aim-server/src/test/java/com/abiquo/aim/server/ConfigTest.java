package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.AimSettingsReader;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** aim.ini as real AIM files write it, and the precise refusals of what cannot be used. */
class ConfigTest {
    @TempDir
    Path folder;

    private Path write(String text) throws Exception {
        Path file = folder.resolve("aim.ini");
        Files.writeString(file, text);
        return file;
    }

    private static ConfigSchema fullSchema() {
        return ModuleLoader.schema(ModuleLoader.load());
    }

    @Test
    void readsWhatRealAimFilesContain() throws Exception {
        Path file = write("""
                ; written by an AIM 2.x installer
                [server]
                port = 60606 ; the default
                address = "127.0.0.1"

                [monitor]
                uri = "qemu:///system"

                [rimp]
                repository = /opt/vm_repository
                autoBackup = FALSE
                autoRestore = 'TRUE'   # restore
                """);
        AimSettings settings = AimSettingsReader.read(file);
        ServerSettings server = ServerSettings.from(settings, folder);
        assertEquals(60606, server.port());
        assertEquals("127.0.0.1", server.address());
        assertFalse(server.tls());
        assertEquals(10, server.shutdownGraceSeconds());
        assertEquals("qemu:///system", settings.string("monitor", "uri", ""));
        assertFalse(settings.bool("rimp", "autoBackup", true));
        assertTrue(settings.bool("rimp", "autorestore", false), "keys are case-insensitive");
        assertEquals("/opt/vm_repository", settings.string("rimp", "repository", ""));
        ConfigSchema schema = fullSchema();
        assumeTrue(schema.hasSection("rimp") && schema.hasSection("monitor"),
                "aim-rimp or aim-libvirt not installed: skip validation against their schemas");
        ConfigValidator.validate(settings, schema);
    }

    @Test
    void defaultsWhenServerSectionIsAbsent() throws Exception {
        ServerSettings server = ServerSettings.from(AimSettingsReader.read(write("")), folder);
        assertEquals(60606, server.port());
        assertEquals("0.0.0.0", server.address());
        assertTrue(server.reflection());
        assertFalse(AimServer.loopback(server.address()));
        assertTrue(AimServer.loopback("127.0.0.1"));
        assertTrue(AimServer.loopback("::1"));
    }

    @Test
    void unknownKeyNamesFileSectionKeyAndTheAcceptedKeys() throws Exception {
        Path file = write("[server]\nport = 60606\nprot = 60607\n");
        ConfigException error = assertThrows(ConfigException.class,
                () -> ConfigValidator.validate(AimSettingsReader.read(file), fullSchema()));
        assertEquals(file + ": [server] unknown key \"prot\"; accepted keys in [server]: address, port, "
                + "tlsCertificate, tlsKey, tlsClientCa, shutdownGraceSeconds, reflection", error.getMessage());
    }

    @Test
    void unknownSectionNamesFileSectionAndTheAcceptedSections() throws Exception {
        Path file = write("[sever]\nport = 60606\n");
        ConfigException error = assertThrows(ConfigException.class,
                () -> ConfigValidator.validate(AimSettingsReader.read(file), fullSchema()));
        assertTrue(error.getMessage().startsWith(file + ": unknown section [sever]; accepted sections: [server]"),
                error.getMessage());
        for (String section : fullSchema().sectionNames()) {
            assertTrue(error.getMessage().contains("[" + section + "]"), error.getMessage());
        }
    }

    @Test
    void badIntegerNamesTheKeyAndTheAcceptedRange() throws Exception {
        Path file = write("[server]\nport = sixty ; oops\n");
        ConfigException error = assertThrows(ConfigException.class,
                () -> ServerSettings.from(AimSettingsReader.read(file), folder));
        assertEquals(file + ": [server] port = \"sixty\" is invalid: accepted values: a whole number from 0 to 65535",
                error.getMessage());
        Path tooBig = write("[server]\nport = 70000\n");
        assertThrows(ConfigException.class, () -> ServerSettings.from(AimSettingsReader.read(tooBig), folder));
    }

    @Test
    void badBooleanNamesTheKeyAndTheAcceptedWords() throws Exception {
        Path file = write("[server]\nreflection = maybe\n");
        ConfigException error = assertThrows(ConfigException.class,
                () -> ServerSettings.from(AimSettingsReader.read(file), folder));
        assertEquals(file + ": [server] reflection = \"maybe\" is invalid: accepted values: true, false, yes, no, "
                + "on, off, 1, 0 (any case)", error.getMessage());
    }

    @Test
    void tlsFilesMustExistAndComeInPairs() throws Exception {
        Path missing = write("[server]\ntlsCertificate = tls/node.crt\ntlsKey = tls/node.key\n");
        ConfigException absent = assertThrows(ConfigException.class,
                () -> ServerSettings.from(AimSettingsReader.read(missing), folder));
        assertTrue(absent.getMessage().contains("[server] tlsCertificate = \"tls/node.crt\" is invalid: a readable "
                + "PEM file; " + folder.resolve("tls/node.crt")), absent.getMessage());

        Pki pki = Pki.create(folder.resolve("pki"), "Config");
        Files.copy(pki.serverCert, folder.resolve("node.crt"));
        Path alone = write("[server]\ntlsCertificate = node.crt\n");
        ConfigException pair = assertThrows(ConfigException.class,
                () -> ServerSettings.from(AimSettingsReader.read(alone), folder));
        assertTrue(pair.getMessage().endsWith("tlsCertificate and tlsKey go together: tlsKey is missing"),
                pair.getMessage());

        Path caOnly = write("[server]\ntlsClientCa = node.crt\n");
        assertThrows(ConfigException.class, () -> ServerSettings.from(AimSettingsReader.read(caOnly), folder));
    }

    @Test
    void relativeTlsPathsResolveAgainstTheConfigFolder() throws Exception {
        Pki pki = Pki.create(folder.resolve("pki"), "Config");
        Files.copy(pki.serverCert, folder.resolve("node.crt"));
        Files.copy(pki.serverKey, folder.resolve("node.key"));
        Files.copy(pki.ca, folder.resolve("ca.crt"));
        Path file = write("[server]\ntlsCertificate = node.crt\ntlsKey = \"node.key\"\ntlsClientCa = ca.crt ; mTLS\n");
        ServerSettings server = ServerSettings.from(AimSettingsReader.read(file), folder);
        assertEquals(folder.resolve("node.crt"), server.tlsCertificate().orElseThrow());
        assertEquals(folder.resolve("node.key"), server.tlsKey().orElseThrow());
        assertTrue(server.mutualTls());
    }

    @Test
    void keyOutsideAnySectionIsRefused() throws Exception {
        Path file = write("port = 60606\n[server]\n");
        ConfigException error = assertThrows(ConfigException.class, () -> AimSettingsReader.read(file));
        assertTrue(error.getMessage().contains("\"port\" stands before any [section]"), error.getMessage());
    }

    @Test
    void everyModuleSettingOfTheSafeTestConfigurationIsAccepted() throws Exception {
        Path file = SafeConfig.write(folder, "");
        ConfigValidator.validate(AimSettingsReader.read(file), fullSchema());
    }

    @Test
    void shippedConfigurationsAreValid() throws Exception {
        ConfigSchema schema = fullSchema();
        for (String shipped : new String[] {"dist/src/conf/aim.ini", "conf/aim-dev.ini"}) {
            AimSettings settings = AimSettingsReader.read(Tools.projectRoot().resolve(shipped));
            ConfigValidator.validate(settings, schema);
            ServerSettings.from(settings, Tools.projectRoot().resolve(shipped).getParent());
        }
    }
}
