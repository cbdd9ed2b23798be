package com.abiquo.aim.rimp.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.rimp.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Naming and the start-up sweep of temporaries, on real folders. */
class TemporariesTest {
    @TempDir
    Path folder;

    @Test
    void namesAreHiddenBesideTheDestinationAndFitNameMax() {
        Temporaries temporaries = new Temporaries("node-a");
        Path temporary = temporaries.allocate(folder.resolve("ABQ_1"));
        assertEquals(folder, temporary.getParent());
        assertTrue(temporary.getFileName().toString().startsWith(".ABQ_1.aim-tmp-" + temporaries.nodeTag() + "-"));
        assertTrue(Temporaries.isTemporaryName(temporary.getFileName().toString()));
        Path longName = temporaries.allocate(folder.resolve("x".repeat(255)));
        assertEquals(255, longName.getFileName().toString().length());
        assertTrue(Temporaries.isTemporaryName(longName.getFileName().toString()));
    }

    @Test
    void longNamesAreShortenedByWholeCodePoints() {
        Temporaries temporaries = new Temporaries("node-a");
        String emoji = new String(Character.toChars(0x1F600)); // 4 bytes in UTF-8, a surrogate pair in Java
        String name = "a" + emoji.repeat(63); // 253 bytes: a valid name

        Path temporary = temporaries.allocate(folder.resolve(name));

        String temporaryName = temporary.getFileName().toString();
        assertTrue(temporaryName.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 255, temporaryName);
        assertTrue(temporaryName.startsWith(".a" + emoji), temporaryName);
        assertTrue(temporaryName.codePoints().noneMatch(c -> c >= Character.MIN_SURROGATE
                && c <= Character.MAX_SURROGATE), "no lone surrogate: " + temporaryName);
        assertTrue(Temporaries.isTemporaryName(temporaryName));
    }

    @Test
    void theSweepRemovesOwnLeftoversAndOnlyStaleOnesOfOtherNodes() throws Exception {
        Temporaries before = new Temporaries("node-a");
        Path own = Files.createFile(before.allocate(folder.resolve("vm1")));
        Files.createDirectories(folder.resolve("a"));
        Path ownDeep = Files.createFile(before.allocate(folder.resolve("a/vm2")));
        Temporaries otherNode = new Temporaries("node-b");
        Path otherFresh = Files.createFile(otherNode.allocate(folder.resolve("vm3")));
        Path otherStale = Files.createFile(otherNode.allocate(folder.resolve("vm4")));
        Files.setLastModifiedTime(otherStale, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
        Files.writeString(folder.resolve("vm5"), "an image");
        Files.writeString(folder.resolve(".vm6.aim-tmp-notours"), "not our pattern");

        Temporaries restarted = new Temporaries("node-a");
        Path live = Files.createFile(restarted.allocate(folder.resolve("vm7")));
        List<Path> removed = restarted.sweep(List.of(folder), 4, Instant.now());

        assertEquals(3, removed.size(), removed.toString());
        assertTrue(Files.notExists(own) && Files.notExists(ownDeep) && Files.notExists(otherStale));
        assertTrue(Files.exists(otherFresh), "another node may still be copying");
        assertTrue(Files.exists(live), "a copy of this process is running");
        assertEquals(List.of("", ".vm6.aim-tmp-notours", live.getFileName().toString(), "a",
                otherFresh.getFileName().toString(), "vm5").stream().sorted().toList(),
                TestFiles.names(folder));
    }

    @Test
    void aRootBehindASymbolicLinkIsSweptAndItsLiveTemporariesKept() throws Exception {
        Path real = Files.createDirectories(folder.resolve("disks/datastore"));
        Path linkedParent = Files.createSymbolicLink(folder.resolve("var"), folder.resolve("disks"));
        Path linkedRoot = Files.createSymbolicLink(folder.resolve("datastore"), real);
        Temporaries crashed = new Temporaries("node-a");
        Path leftover = Files.createFile(crashed.allocate(real.resolve("vm1")));

        Temporaries restarted = new Temporaries("node-a");
        // a copy running while the sweep runs: its path was resolved (ConfinedRoot gives real paths)
        Path live = Files.createFile(restarted.allocate(real.resolve("vm2")));
        List<Path> removedThroughParent = restarted.sweep(List.of(linkedParent.resolve("datastore")), 4,
                Instant.now());

        assertTrue(Files.exists(live), "the temporary of a running copy was removed: " + removedThroughParent);
        assertEquals(List.of(leftover), removedThroughParent);

        Path another = Files.createFile(crashed.allocate(real.resolve("vm3")));
        assertEquals(List.of(another), restarted.sweep(List.of(linkedRoot), 4, Instant.now()),
                "a root that is itself a symbolic link is swept too");
        assertTrue(Files.exists(live));
    }
}
