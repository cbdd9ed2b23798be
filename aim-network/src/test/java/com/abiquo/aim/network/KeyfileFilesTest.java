package com.abiquo.aim.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyfileFilesTest {
    @TempDir
    Path folder;

    private KeyfileFiles files() {
        return new KeyfileFiles(folder, NetworkManagerReload.never());
    }

    @Test
    void writesAimsNamedFilesReadableByRootOnlyAndNoTemporary() throws Exception {
        KeyfileFiles files = files();
        VlanSpec spec = VlanSpec.of(5, "eth0", "abiquo_5");
        files.write(files.bridgeFile("abiquo_5"), files.bridgeText("abiquo_5"));
        files.write(files.vlanFile(spec), files.vlanText(spec));
        try (Stream<Path> entries = Files.list(folder)) {
            assertEquals(List.of("abiquo-abiquo_5.nmconnection", "abiquo-eth0.5.nmconnection"),
                    entries.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary left behind");
        }
        for (String name : List.of("abiquo-abiquo_5.nmconnection", "abiquo-eth0.5.nmconnection")) {
            // NetworkManager ignores a keyfile that others can read
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    folder.resolve(name))), name);
        }
        Keyfile vlan = Keyfile.parse(Files.readString(folder.resolve("abiquo-eth0.5.nmconnection")));
        assertEquals("abiquo_5", vlan.value("connection", "master"));
        assertEquals("bridge", vlan.value("connection", "slave-type"));
        assertEquals("5", vlan.value("vlan", "id"));
        assertEquals("eth0", vlan.value("vlan", "parent"));
        assertEquals(KeyfileFiles.uuid("eth0.5").toString(), vlan.value("connection", "uuid"));
        assertEquals("disabled", Keyfile.parse(files.bridgeText("abiquo_5")).value("ipv4", "method"));
    }

    @Test
    void theUuidIsStableAndDiffersPerInterface() {
        assertEquals(KeyfileFiles.uuid("eth0.5"), KeyfileFiles.uuid("eth0.5"));
        assertFalse(KeyfileFiles.uuid("eth0.5").equals(KeyfileFiles.uuid("eth0.6")));
    }

    @Test
    void readsBackVlansAndAimsBridgesOnly() throws Exception {
        KeyfileFiles files = files();
        VlanSpec spec = VlanSpec.of(7, "bond0", "br7");
        files.write(files.vlanFile(spec), files.vlanText(spec));
        files.write(files.bridgeFile("br7"), files.bridgeText("br7"));
        // an operator's bridge under AIM's name pattern but with its own uuid: not AIM's
        Files.writeString(folder.resolve("abiquo-br9.nmconnection"), "[connection]\nid=abiquo-br9\nuuid="
                + "0b9e1b57-0000-4000-8000-000000000000\ntype=bridge\ninterface-name=br9\n");
        Files.writeString(folder.resolve("eth0.nmconnection"), "[connection]\nid=eth0\ntype=ethernet\n");
        Files.writeString(folder.resolve("abiquo-eth1.3.nmconnection"), "[connection]\nid=abiquo-eth1.3\ntype=vlan\n"
                + "interface-name=eth1.3\nslave-type=bridge\nmaster=br3\n[vlan]\nid=4\nparent=eth1\n");
        List<NetworkFiles.VlanFile> vlans = files.vlanFiles();
        assertEquals(2, vlans.size(), vlans.toString());
        assertEquals(new NetworkFiles.VlanFile("abiquo-bond0.7.nmconnection", Optional.of(spec), ""), vlans.get(0));
        assertEquals("abiquo-eth1.3.nmconnection", vlans.get(1).fileName());
        assertTrue(vlans.get(1).problem().contains("is not <vlan.parent>.<vlan.id>"), vlans.get(1).problem());
        assertEquals(List.of("br7"), files.aimBridgeNames());
        assertTrue(files.isAims(files.bridgeText("br7")));
        assertFalse(files.isAims(Files.readString(folder.resolve("abiquo-br9.nmconnection"))));
        assertEquals("", files.bridgeProblem("br7", files.bridgeText("br7")));
        assertEquals("type=vlan, interface-name=bond0.7", files.bridgeProblem("br7", files.vlanText(spec)));
    }

    @Test
    void aByteThatIsNotUtf8InACommentIsHarmlessAndInAValueMakesOnlyThatFileUnreadable() throws Exception {
        KeyfileFiles files = files();
        VlanSpec spec = VlanSpec.of(7, "bond0", "br7");
        String good = files.vlanText(spec).replace("\n\n", "\n# r\u00e9seau\n");
        Files.write(folder.resolve(files.vlanFile(spec)), good.getBytes(StandardCharsets.ISO_8859_1));
        VlanSpec other = VlanSpec.of(8, "bond0", "br8");
        Files.write(folder.resolve(files.vlanFile(other)), files.vlanText(other).replace("master=br8",
                "master=br\u00e98").getBytes(StandardCharsets.ISO_8859_1));
        List<NetworkFiles.VlanFile> vlans = files.vlanFiles();
        assertEquals(2, vlans.size(), vlans.toString());
        assertEquals(Optional.of(spec), vlans.get(0).spec());
        assertEquals("connection.master holds bytes that are not UTF-8", vlans.get(1).problem());
    }

    @Test
    void anAbsentFolderHasNothing() throws Exception {
        KeyfileFiles files = new KeyfileFiles(folder.resolve("absent"), NetworkManagerReload.never());
        assertEquals(List.of(), files.vlanFiles());
        assertEquals(List.of(), files.aimBridgeNames());
        assertFalse(files.remove("abiquo-x.nmconnection"));
    }

    @Test
    void parsesGlibKeyFileSyntax() {
        Keyfile file = Keyfile.parse("# c\nstray=1\n[connection]\n id = a\\sb \nuuid=1\n\n[vlan]\nid=3\nid=4\n");
        assertEquals(Optional.of("a b"), file.get("connection", "id"));
        assertEquals("4", file.value("vlan", "id"));
        assertEquals(List.of("connection", "vlan"), List.copyOf(file.groups().keySet()));
    }
}
