package com.abiquo.aim.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.command.CommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When AIM tells NetworkManager to reload. No NetworkManager runs on the build machine (NetworkManagerVmTest runs a
 * real one in the VM), so {@code nmcli} here is a stand-in (a named fake) that answers as nmcli 1.42 does and
 * records each call's arguments, one per line.
 */
class NetworkManagerReloadTest {
    @TempDir
    Path folder;

    /** A stand-in nmcli: "general" answers like nmcli with NetworkManager running or not; every call is logged. */
    private NetworkManagerReload reload(boolean running, int reloadStatus) throws Exception {
        Path log = folder.resolve("calls");
        Path nmcli = folder.resolve("fake-nmcli");
        Files.writeString(nmcli, "#!/bin/sh\necho \"$*\" >> '" + log + "'\n"
                + "case \"$*\" in\n"
                + "  '-t -f RUNNING general') " + (running ? "echo running; exit 0" : "echo 'Error: NetworkManager is "
                + "not running.' >&2; exit 8") + " ;;\n"
                + "  'connection reload') exit " + reloadStatus + " ;;\n"
                + "esac\nexit 2\n");
        Files.setPosixFilePermissions(nmcli, PosixFilePermissions.fromString("rwx------"));
        return new NetworkManagerReload(new CommandRunner(), nmcli.toString(), Duration.ofSeconds(10));
    }

    private List<String> calls() throws Exception {
        Path log = folder.resolve("calls");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    @Test
    void aRunningNetworkManagerIsToldToReload() throws Exception {
        assertTrue(reload(true, 0).reloadIfRunning());
        assertEquals(List.of("-t -f RUNNING general", "connection reload"), calls());
    }

    @Test
    void aStoppedNetworkManagerIsLeftAlone() throws Exception {
        assertFalse(reload(false, 0).reloadIfRunning());
        assertEquals(List.of("-t -f RUNNING general"), calls());
    }

    @Test
    void aFailedReloadIsReportedNotThrown() throws Exception {
        assertFalse(reload(true, 1).reloadIfRunning());
        assertEquals(List.of("-t -f RUNNING general", "connection reload"), calls());
    }

    @Test
    void noNmcliOrAnEmptyOneMeansNoReload() {
        assertFalse(new NetworkManagerReload(new CommandRunner(), folder.resolve("absent").toString(),
                Duration.ofSeconds(5)).reloadIfRunning());
        assertFalse(NetworkManagerReload.never().reloadIfRunning());
    }

    @Test
    void keyfilesReloadOnlyThroughChanged() throws Exception {
        NetworkManagerReload reload = reload(true, 0);
        KeyfileFiles files = new KeyfileFiles(folder, reload);
        files.write(files.bridgeFile("br5"), files.bridgeText("br5"));
        assertEquals(List.of(), calls(), "one reload per operation, not per file");
        files.changed();
        assertEquals(List.of("-t -f RUNNING general", "connection reload"), calls());
    }
}
