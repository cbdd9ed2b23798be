package com.abiquo.aim.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.network.PersistenceChoice.Format;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistenceChoiceTest {
    @TempDir
    Path folder;

    private Format auto(String osRelease) throws Exception {
        Path keyfiles = Files.createDirectories(folder.resolve("system-connections"));
        Path release = folder.resolve("os-release");
        Files.writeString(release, osRelease);
        return PersistenceChoice.resolve(Format.AUTO, keyfiles, release).format();
    }

    @Test
    void aByteThatIsNotUtf8InOsReleaseDoesNotHideTheVersion() throws Exception {
        Path keyfiles = Files.createDirectories(folder.resolve("system-connections"));
        Path release = folder.resolve("os-release");
        Files.write(release, "PRETTY_NAME=\"Entreprise \u00e9dition\"\nID=\"rhel\"\nVERSION_ID=\"9.4\"\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(Format.KEYFILE, PersistenceChoice.resolve(Format.AUTO, keyfiles, release).format());
    }

    @Test
    void enterpriseLinux9AndLaterPickKeyfiles() throws Exception {
        assertEquals(Format.KEYFILE, auto("NAME=\"Red Hat Enterprise Linux\"\nID=\"rhel\"\nID_LIKE=\"fedora\"\n"
                + "VERSION_ID=\"9.4\"\n"));
        assertEquals(Format.KEYFILE, auto("ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"10.0\"\n"));
        assertEquals(Format.KEYFILE, auto("ID=\"almalinux\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.5\"\n"));
        assertEquals(Format.KEYFILE, auto("ID=\"centos\"\nID_LIKE=\"rhel fedora\"\nVERSION_ID=\"9\"\n"));
    }

    @Test
    void olderEnterpriseLinuxAndOtherSystemsKeepIfcfg() throws Exception {
        assertEquals(Format.IFCFG, auto("ID=\"centos\"\nID_LIKE=\"rhel fedora\"\nVERSION_ID=\"7\"\n"));
        assertEquals(Format.IFCFG, auto("ID=\"rhel\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"8.10\"\n"));
        assertEquals(Format.IFCFG, auto("ID=debian\nVERSION_ID=\"12\"\n"));
        assertEquals(Format.IFCFG, auto("ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"24.04\"\n"));
        assertEquals(Format.IFCFG, PersistenceChoice.resolve(Format.AUTO, folder.resolve("absent"),
                folder.resolve("absent-os-release")).format());
    }

    @Test
    void aKeyfileFolderInUsePicksKeyfilesWhateverTheSystem() throws Exception {
        Path keyfiles = Files.createDirectories(folder.resolve("system-connections"));
        Files.writeString(keyfiles.resolve("Wired connection 1.nmconnection"), "[connection]\n");
        PersistenceChoice choice = PersistenceChoice.resolve(Format.AUTO, keyfiles, folder.resolve("absent"));
        assertEquals(Format.KEYFILE, choice.format());
        assertTrue(choice.reason().contains("holds NetworkManager keyfiles"), choice.reason());
    }

    @Test
    void anExplicitChoiceIsKept() throws Exception {
        Path release = folder.resolve("os-release");
        Files.writeString(release, "ID=rhel\nVERSION_ID=9.4\n");
        assertEquals(Format.IFCFG, PersistenceChoice.resolve(Format.IFCFG, folder, release).format());
        assertEquals(Format.KEYFILE, PersistenceChoice.resolve(Format.KEYFILE, folder.resolve("x"),
                folder.resolve("y")).format());
    }
}
