package com.abiquo.aim.storage.iscsi;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.command.CommandResult;
import com.abiquo.aim.core.command.CommandRunner;
import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.iscsi.Iqn;
import com.abiquo.aim.core.iscsi.Portal;
import com.abiquo.aim.storage.StorageErrorReason;
import io.grpc.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The kernel's iSCSI initiator (open-iscsi): sessions and their disks read from sysfs, rescans and discovery through
 * iscsiadm. Only works where the kernel has iscsi_tcp; everything here is a no-op or a precise error elsewhere.
 */
public final class KernelInitiator {
    private static final Pattern SESSION_DIR = Pattern.compile("session([0-9]+)");
    private static final Pattern SCSI_ADDRESS = Pattern.compile("([0-9]+):([0-9]+):([0-9]+):([0-9]+)");
    private static final Pattern SEND_TARGETS_LINE = Pattern.compile("^(\\S+,\\d+)\\s+(\\S+)$");

    private final CommandRunner commands;
    private final Duration timeout;
    private final Path sysfs;

    /** A logged-in session to a target (/sys/class/iscsi_session/session{number}). */
    public record Session(int number, String targetIqn) {
    }

    /** A SCSI device of a session: one per LUN; device is empty when the LUN has no block device. */
    public record Lun(int session, int lun, String device, long sizeBytes) {
    }

    /** A target announced by a portal, with the portals ("host:port,tpgt") it can be reached on. */
    public record Target(String targetIqn, List<String> portals) {
    }

    public KernelInitiator(CommandRunner commands, Duration timeout, Path sysfs) {
        this.commands = requireNonNull(commands, "commands is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.sysfs = requireNonNull(sysfs, "sysfs is null");
    }

    /** Whether the kernel can log in to targets (iscsi_tcp is loaded). */
    public boolean available() {
        return Files.isDirectory(sysfs.resolve("module/iscsi_tcp"));
    }

    public List<Session> sessions() throws AimException {
        Path folder = sysfs.resolve("class/iscsi_session");
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        List<Session> sessions = new ArrayList<>();
        try (Stream<Path> entries = Files.list(folder)) {
            for (Path entry : (Iterable<Path>) entries.sorted()::iterator) {
                Matcher name = SESSION_DIR.matcher(entry.getFileName().toString());
                Path target = entry.resolve("targetname");
                if (name.matches() && Files.isRegularFile(target)) {
                    // decoded leniently: a name that is not UTF-8 (a target may send any bytes) matches no IQN a
                    // request gives, and must not make every other session unreadable
                    sessions.add(new Session(Integer.parseInt(name.group(1)),
                            new String(Files.readAllBytes(target), StandardCharsets.UTF_8).strip()));
                }
            }
        } catch (IOException failure) {
            throw AimException.internal(StorageErrorReason.SYSFS_UNREADABLE,
                    "cannot read " + folder + ": " + failure.getMessage(),
                    failure);
        }
        return sessions;
    }

    /** The LUNs of a session with their block devices and sizes, by LUN number. */
    public List<Lun> luns(Session session) throws AimException {
        return scan(session).luns();
    }

    /**
     * The LUNs of a session right after a rescan. The kernel attaches a new disk's block device in the background
     * (the sd driver probes asynchronously), after iscsiadm has returned: wait up to {@code settle} until every disk
     * LUN (SCSI type 0) has its block device. Other LUNs (the target's controller, LUN 0) never get one.
     */
    public List<Lun> lunsAfterRescan(Session session, Duration settle) throws AimException {
        long deadline = System.nanoTime() + settle.toNanos();
        Scan scan = scan(session);
        while (scan.disksWithoutDevice() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                break;
            }
            scan = scan(session);
        }
        return scan.luns();
    }

    private record Scan(List<Lun> luns, boolean disksWithoutDevice) {
    }

    private Scan scan(Session session) throws AimException {
        Path device = sysfs.resolve("class/iscsi_session/session" + session.number() + "/device");
        List<Lun> luns = new ArrayList<>();
        boolean disksWithoutDevice = false;
        try (Stream<Path> entries = Files.walk(device.toRealPath(), 2)) {
            for (Path scsi : (Iterable<Path>) entries::iterator) {
                Matcher address = SCSI_ADDRESS.matcher(scsi.getFileName().toString());
                if (!address.matches() || !Files.isDirectory(scsi)) {
                    continue;
                }
                String block = "";
                long size = 0;
                Path blocks = scsi.resolve("block");
                if (Files.isDirectory(blocks)) {
                    try (Stream<Path> names = Files.list(blocks)) {
                        Path first = names.sorted().findFirst().orElse(null);
                        if (first != null) {
                            block = "/dev/" + first.getFileName();
                            size = Long.parseLong(Files.readString(first.resolve("size")).strip()) * 512;
                        }
                    }
                }
                luns.add(new Lun(session.number(), Integer.parseInt(address.group(4)), block, size));
                disksWithoutDevice |= block.isEmpty() && isDisk(scsi);
            }
        } catch (IOException | NumberFormatException failure) {
            throw AimException.internal(StorageErrorReason.SYSFS_UNREADABLE, "cannot read the devices of iSCSI session "
                    + session.number() + " under " + device + ": " + failure.getMessage(), failure);
        }
        luns.sort(Comparator.comparingInt(Lun::lun));
        return new Scan(luns, disksWithoutDevice);
    }

    /** SCSI peripheral type 0: a direct-access block device (a disk). */
    private static boolean isDisk(Path scsiDevice) throws IOException {
        Path type = scsiDevice.resolve("type");
        return Files.isRegularFile(type) && Files.readString(type).strip().equals("0");
    }

    /** {@code iscsiadm -m node -T <iqn> -R}: rescans every session to the target. The result is returned as is. */
    public CommandResult rescan(String targetIqn) throws AimException {
        Iqn.require(targetIqn, "target_iqn");
        return commands.run(List.of("iscsiadm", "-m", "node", "-T", targetIqn, "-R"), timeout);
    }

    /** SendTargets discovery with iscsiadm (records the targets in open-iscsi's node database, as a login needs). */
    public List<Target> discover(Portal portal) throws AimException {
        CommandResult result = commands.runChecked(List.of("iscsiadm", "-m", "discovery", "-t", "sendtargets",
                "-p", portal.toString()), timeout, Status.Code.FAILED_PRECONDITION,
                        StorageErrorReason.ISCSI_DISCOVERY_FAILED);
        return parseSendTargets(result.stdout());
    }

    /** Parses iscsiadm's discovery output: one "host:port,tpgt iqn" line per portal of a target. */
    static List<Target> parseSendTargets(String output) {
        Map<String, List<String>> targets = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            Matcher match = SEND_TARGETS_LINE.matcher(line.strip());
            if (match.matches()) {
                targets.computeIfAbsent(match.group(2), key -> new ArrayList<>()).add(match.group(1));
            }
        }
        List<Target> list = new ArrayList<>();
        targets.forEach((iqn, portals) -> list.add(new Target(iqn, List.copyOf(portals))));
        return list;
    }
}
