package com.abiquo.aim.rimp.copy;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Names, tracks and sweeps the temporaries copies write before their atomic rename:
 * {@code .<name>.aim-tmp-<node>-<random>} in the destination folder, where {@code <node>} is a short hash of this
 * node's host name. The repository is shared by many nodes (NFS), so the start-up sweep removes this node's
 * leftovers at once (no copy of this node can be running before it started) and other nodes' only when they have
 * not changed for a day (a live copy keeps touching its temporary).
 */
public final class Temporaries {
    private static final Logger LOG = LogManager.getLogger(Temporaries.class);
    private static final Pattern TEMPORARY = Pattern.compile("^\\..+\\.aim-tmp-([0-9a-f]{8})-[0-9a-f]{16}$");
    private static final Duration FOREIGN_AGE = Duration.ofDays(1);
    private static final int MAX_NAME_BYTES = 255;

    private final String nodeTag;
    private final SecureRandom random = new SecureRandom();
    private final Set<Path> live = ConcurrentHashMap.newKeySet();

    public Temporaries(String hostname) {
        this.nodeTag = tagOf(requireNonNull(hostname, "hostname is null"));
    }

    String nodeTag() {
        return nodeTag;
    }

    /** A fresh temporary path beside destination, registered as live until {@link #release}. */
    public Path allocate(Path destination) {
        String name = destination.getFileName().toString();
        byte[] bytes = new byte[8];
        random.nextBytes(bytes);
        String suffix = ".aim-tmp-" + nodeTag + "-" + HexFormat.of().formatHex(bytes);
        // Keep the whole name within NAME_MAX: shorten the image name part, never the marker, and by whole code
        // points (cutting a surrogate pair in two leaves a name that is not a valid path)
        while (("." + name + suffix).getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            name = name.substring(0, name.offsetByCodePoints(name.length(), -1));
        }
        Path temporary = destination.resolveSibling("." + name + suffix);
        live.add(temporary);
        return temporary;
    }

    /**
     * Removes the temporary from the folder it was created in (open since, so a folder moved away and replaced by a
     * link meanwhile does not redirect the removal) and forgets it.
     */
    public void discard(ConfinedFolder folder, Path temporary) {
        try {
            folder.remove(temporary.getFileName().toString());
        } catch (IOException failure) {
            LOG.warn("Cannot remove the temporary {}: {}", temporary, failure.getMessage());
        }
        live.remove(temporary);
    }

    /** Forgets a temporary that was renamed into place. */
    public void release(Path temporary) {
        live.remove(temporary);
    }

    public static boolean isTemporaryName(String fileName) {
        return TEMPORARY.matcher(fileName).matches();
    }

    /**
     * Removes leftover temporaries under the roots (at most depth folders deep, never following links below a root
     * nor crossing into another file system). Returns the paths removed, under the roots' real paths.
     */
    public List<Path> sweep(List<Path> roots, int depth, Instant now) {
        List<Path> removed = new java.util.ArrayList<>();
        for (Path configured : roots) {
            if (!Files.isDirectory(configured)) {
                continue;
            }
            try {
                // links above (or at) the root are the operator's: resolve them, so that the walk starts in the
                // real folder (a walk that does not follow links would not enter a root that is a link) and the
                // paths it meets are spelled as the live temporaries are (copies resolve their paths)
                Path root = configured.toRealPath();
                Object rootDevice = Files.getAttribute(root, "unix:dev");
                Files.walkFileTree(root, EnumSet.noneOf(FileVisitOption.class), depth,
                        new SimpleFileVisitor<>() {
                            @Override
                            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes)
                                    throws IOException {
                                return rootDevice.equals(Files.getAttribute(dir, "unix:dev"))
                                        ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
                            }

                            @Override
                            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                                if (attributes.isRegularFile() && shouldRemove(file, attributes, now)) {
                                    try {
                                        Files.deleteIfExists(file);
                                        removed.add(file);
                                        LOG.info("Removed the leftover temporary {}", file);
                                    } catch (IOException failure) {
                                        LOG.warn("Cannot remove the leftover temporary {}: {}", file,
                                                failure.getMessage());
                                    }
                                }
                                return FileVisitResult.CONTINUE;
                            }

                            @Override
                            public FileVisitResult visitFileFailed(Path file, IOException failure) {
                                return FileVisitResult.CONTINUE; // unreadable corners are not ours
                            }
                        });
            } catch (IOException failure) {
                LOG.warn("Cannot sweep temporaries under {}: {}", configured, failure.getMessage());
            }
        }
        return removed;
    }

    private boolean shouldRemove(Path file, BasicFileAttributes attributes, Instant now) {
        Matcher matcher = TEMPORARY.matcher(file.getFileName().toString());
        if (!matcher.matches() || live.contains(file)) {
            return false;
        }
        if (matcher.group(1).equals(nodeTag)) {
            return true;
        }
        return attributes.lastModifiedTime().toInstant().isBefore(now.minus(FOREIGN_AGE));
    }

    private static String tagOf(String hostname) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(hostname.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
