package com.abiquo.aim.libvirt.domain;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.libvirt.LibvirtErrorReason;
import com.abiquo.aim.libvirt.connection.DomainListing;
import com.abiquo.aim.libvirt.connection.DomainStateReader;
import com.abiquo.aim.libvirt.connection.DomainStates;
import com.abiquo.aim.libvirt.connection.Handles;
import com.abiquo.aim.libvirt.connection.LibvirtCodeReason;
import com.abiquo.aim.libvirt.connection.LibvirtConnection;
import com.abiquo.aim.libvirt.connection.LibvirtErrors;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntPredicate;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * The domain operations of the Libvirt service, on the node's connection. Plain logic: no gRPC types; failures are
 * {@link AimException}s mapped by {@link LibvirtConnection#call(String, com.abiquo.aim.libvirt.connection.LibvirtAccess.LibvirtCall)}.
 * Reads go through {@code call}; actions that can take seconds (power, define, undefine, wake-up, disk resizes) through
 * {@link LibvirtConnection#act}, on a connection of their own, so that reads never wait behind them. Callers who read
 * the same domain's state, existence or details at the same time share libvirt round trips ({@link JoinedReads}).
 */
public final class DomainOperations {
    /** Larger definitions are refused before they reach libvirt. */
    public static final int MAX_XML_BYTES = 1 << 20;
    public static final Duration MAX_SHUTDOWN_TIMEOUT = Duration.ofHours(1);

    // virDomainBlockResizeFlags
    private static final int BLOCK_RESIZE_BYTES = 1;
    /** Plain XML: no VIR_DOMAIN_XML_SECURE, so console passwords are not handed out. */
    private static final int XML_PLAIN = 0;
    private static final Duration SHUTDOWN_POLL = Duration.ofMillis(100);

    private final LibvirtConnection connection;
    // Callers asking the same at once share libvirt round trips (never a read that started before they asked)
    private final JoinedReads<DomainSelector> stateReads = new JoinedReads<>();
    private final JoinedReads<DomainSelector> infoReads = new JoinedReads<>();
    private final JoinedReads<DomainSelector> existenceReads = new JoinedReads<>();

    public DomainOperations(LibvirtConnection connection) {
        this.connection = requireNonNull(connection, "connection is null");
    }

    public record Defined(DomainSummary domain, boolean created) {
    }

    public record ShutdownOutcome(int state, boolean forced) {
    }

    public Defined define(String xml) throws AimException {
        if (xml == null || xml.isBlank()) {
            throw AimException.invalidArgument(LibvirtErrorReason.XML_EMPTY,
                    "xml is empty: a libvirt domain definition is required");
        }
        int size = xml.getBytes(StandardCharsets.UTF_8).length;
        if (size > MAX_XML_BYTES) {
            throw AimException.invalidArgument(LibvirtErrorReason.XML_TOO_LARGE, "xml is " + size + " bytes; at most "
                    + MAX_XML_BYTES + " are accepted");
        }
        DomainXml.Identity identity = DomainXml.identity(xml);
        return connection.act("defining domain '" + identity.name() + "'", connect -> {
            boolean existed = exists(connect, identity);
            return Handles.using(connect.domainDefineXML(xml),
                    domain -> new Defined(summary(domain, false), !existed));
        });
    }

    private static boolean exists(Connect connect, DomainXml.Identity identity) throws LibvirtException {
        if (identity.uuid().isPresent()) {
            try {
                connect.domainLookupByUUIDString(identity.uuid().get()).free();
                return true;
            } catch (LibvirtException missing) {
                if (LibvirtErrors.trueError(missing).code() != LibvirtErrors.NO_DOMAIN
                        && LibvirtErrors.trueError(missing).code() != LibvirtErrors.INVALID_ARG) {
                    throw missing;
                }
            }
        }
        try {
            connect.domainLookupByName(identity.name()).free();
            return true;
        } catch (LibvirtException missing) {
            if (LibvirtErrors.trueError(missing).code() != LibvirtErrors.NO_DOMAIN) {
                throw missing;
            }
            return false;
        }
    }

    /**
     * Removes the domain's definition. Idempotent, like every delete of AIM: a domain that does not exist, or is
     * transient (it has no definition), is already undefined and answers {@code found = false}.
     */
    public Undefined undefine(DomainSelector selector) throws AimException {
        try {
            return actOnDomain("undefining", selector, Undefined::undefine);
        } catch (AimException failure) {
            if (failure.code() == Status.Code.NOT_FOUND
                    && failure.reason() == LibvirtCodeReason.of(LibvirtErrors.NO_DOMAIN)) {
                return new Undefined(false, false);
            }
            throw failure;
        }
    }

    /** The domain if it exists; never NOT_FOUND. */
    public Optional<DomainSummary> find(DomainSelector selector) throws AimException {
        return JoinedReads.await(findLater(selector));
    }

    /** {@link #find}, answered later when this caller joins a read of the same domain already asked for. */
    public CompletableFuture<Optional<DomainSummary>> findLater(DomainSelector selector) {
        return existenceReads.read(selector, () -> connection.call("looking up " + selector.describe(), connect -> {
            Domain domain;
            try {
                domain = lookup(connect, selector);
            } catch (LibvirtException failure) {
                if (LibvirtErrors.trueError(failure).code() == LibvirtErrors.NO_DOMAIN) {
                    return Optional.empty();
                }
                throw failure;
            }
            return Optional.of(Handles.using(domain, found -> summary(found, false)));
        }));
    }

    public int state(DomainSelector selector) throws AimException {
        return JoinedReads.await(stateLater(selector));
    }

    /** {@link #state}, answered later when this caller joins a read of the same domain already asked for. */
    public CompletableFuture<Integer> stateLater(DomainSelector selector) {
        return stateReads.read(selector, () -> onDomain("reading the state of", selector, DomainOperations::stateOf));
    }

    public DomainSummary info(DomainSelector selector) throws AimException {
        return JoinedReads.await(infoLater(selector));
    }

    /** {@link #info}, answered later when this caller joins a read of the same domain already asked for. */
    public CompletableFuture<DomainSummary> infoLater(DomainSelector selector) {
        return infoReads.read(selector, () -> onDomain("reading", selector, domain -> summary(domain, true)));
    }

    public List<DomainSummary> list(boolean includeXml) throws AimException {
        return connection.call("listing the domains", connect -> {
            List<DomainSummary> domains = DomainListing.readAll(connect, domain -> summary(domain, includeXml));
            domains.sort(Comparator.comparing(DomainSummary::name));
            return domains;
        });
    }

    public int powerOn(DomainSelector selector) throws AimException {
        return actThenState("powering on", selector, Domain::create, state -> !DomainStates.isActive(state));
    }

    public int powerOff(DomainSelector selector) throws AimException {
        return actThenState("powering off", selector, Domain::destroy, DomainStates::isActive);
    }

    public int reset(DomainSelector selector) throws AimException {
        return actThenState("resetting", selector, Domain::reset, DomainStates::isActive);
    }

    public int pause(DomainSelector selector) throws AimException {
        return actThenState("pausing", selector, Domain::suspend,
                state -> state == DomainStates.RUNNING || state == DomainStates.BLOCKED);
    }

    public int resume(DomainSelector selector) throws AimException {
        return actThenState("resuming", selector, Domain::resume, state -> state == DomainStates.PAUSED);
    }

    /**
     * Wakes a guest that suspended itself to RAM. The state is checked first: libvirt 9 passes the wake-up to QEMU
     * for any running domain, and QEMU's refusal comes back as an internal error.
     */
    public int wakeUp(DomainSelector selector) throws AimException {
        return actOnDomain("waking up", selector, domain -> {
            requirePmSuspended(selector, stateOf(domain));
            try {
                domain.PMwakeup();
            } catch (LibvirtException failure) {
                // Its true error first: reading the state below resets the thread's last libvirt error.
                LibvirtErrors.capture(failure);
                // Woken by someone else since the check: QEMU's refusal is the same precondition, not a fault.
                requirePmSuspended(selector, stateOf(domain));
                throw failure;
            }
            return stateOf(domain);
        });
    }

    private static void requirePmSuspended(DomainSelector selector, int state) throws AimException {
        if (state != DomainStates.PMSUSPENDED) {
            throw AimException.failedPrecondition(LibvirtErrorReason.DOMAIN_NOT_PMSUSPENDED,
                    selector.describe() + " is "
                    + DomainStates.describe(state) + ", not suspended to RAM: only a PMSUSPENDED domain can be "
                    + "woken up (ResumeDomain resumes a paused one, PowerOnDomain starts a stopped one)");
        }
    }

    /**
     * ACPI shutdown; with a positive timeout, waits for power-off and forces it when the guest does not comply.
     */
    public ShutdownOutcome shutdown(DomainSelector selector, Duration timeout) throws AimException {
        if (timeout.isNegative() || timeout.compareTo(MAX_SHUTDOWN_TIMEOUT) > 0) {
            throw AimException.invalidArgument(LibvirtErrorReason.SHUTDOWN_TIMEOUT_INVALID,
                    "timeout " + timeout.toMillis()
                    + " ms is out of range: 0 to " + MAX_SHUTDOWN_TIMEOUT.toSeconds() + " s");
        }
        String what = "shutting down " + selector.describe();
        // a domain that is not running cannot be shut down: FAILED_PRECONDITION, like the other power actions
        int state = actThenState("shutting down", selector, Domain::shutdown, DomainStates::isActive);
        if (timeout.isZero()) {
            return new ShutdownOutcome(state, false);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (DomainStates.isActive(state) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(SHUTDOWN_POLL.toMillis());
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new AimException(Status.Code.CANCELLED, LibvirtErrorReason.SHUTDOWN_INTERRUPTED,
                        what + " was interrupted");
            }
            state = stateOrGone(selector);
        }
        if (!DomainStates.isActive(state)) {
            return new ShutdownOutcome(state, false);
        }
        int forced = connection.act(what + " (forcing power-off after " + timeout.toMillis() + " ms)", connect -> {
            Domain domain;
            try {
                domain = lookup(connect, selector);
            } catch (LibvirtException gone) {
                if (LibvirtErrors.trueError(gone).code() == LibvirtErrors.NO_DOMAIN) {
                    return DomainStates.GONE;
                }
                throw gone;
            }
            return Handles.using(domain, found -> {
                try {
                    found.destroy();
                } catch (LibvirtException stoppedMeanwhile) {
                    if (LibvirtErrors.trueError(stoppedMeanwhile).code() != LibvirtErrors.OPERATION_INVALID) {
                        throw stoppedMeanwhile;
                    }
                }
                return stateOf(found);
            });
        });
        return new ShutdownOutcome(forced, true);
    }

    private int stateOrGone(DomainSelector selector) throws AimException {
        return find(selector).map(DomainSummary::state).orElse(DomainStates.GONE);
    }

    public BlockInfo blockInfo(DomainSelector selector, String disk) throws AimException {
        DomainDisks.check(disk);
        return onDomain("reading disk '" + disk + "' of", selector, domain -> DomainDisks.info(domain, disk,
                DomainDisks.find(domain, disk, selector)));
    }

    /** Grows a running domain's disk; the guest sees the new size at once. */
    public BlockInfo resizeDisk(DomainSelector selector, String disk, long capacityBytes) throws AimException {
        DomainDisks.check(disk);
        if (capacityBytes <= 0) {
            throw AimException.invalidArgument(LibvirtErrorReason.SIZE_INVALID, "capacity_bytes must be more than 0");
        }
        return actOnDomain("resizing disk '" + disk + "' of", selector, domain -> {
            if (domain.isActive() != 1) {
                throw AimException.failedPrecondition(LibvirtErrorReason.DOMAIN_NOT_RUNNING, selector.describe()
                        + " is not running: a disk can only be resized live (resize the volume instead)");
            }
            DomainXml.Disk found = DomainDisks.find(domain, disk, selector);
            BlockInfo before = DomainDisks.info(domain, disk, found);
            if (capacityBytes < before.capacityBytes()) {
                throw AimException.failedPrecondition(LibvirtErrorReason.DISK_SHRINK_REFUSED, "disk '" + disk + "' of "
                        + selector.describe() + " is " + before.capacityBytes() + " bytes; shrinking it to "
                        + capacityBytes + " bytes under a running guest would destroy data");
            }
            domain.blockResize(found.target(), capacityBytes, BLOCK_RESIZE_BYTES);
            return DomainDisks.info(domain, disk, found);
        });
    }

    // ---- helpers ----

    private interface DomainAction {
        void apply(Domain domain) throws LibvirtException;
    }

    /**
     * Acts, then reads the state. When the action fails and the domain's state does not allow it (powering on a
     * running domain, ...), the answer is FAILED_PRECONDITION LIBVIRT_OPERATION_INVALID, as the QEMU driver reports
     * it, whatever the driver said: some (libvirt's test driver) report such a refusal as an internal error.
     */
    private int actThenState(String verb, DomainSelector selector, DomainAction action, IntPredicate allowedIn)
            throws AimException {
        return actOnDomain(verb, selector, domain -> {
            try {
                action.apply(domain);
            } catch (LibvirtException failure) {
                // Its true error first: reading the state below resets the thread's last libvirt error.
                LibvirtErrors.capture(failure);
                int state = stateOf(domain);
                if (!allowedIn.test(state)) {
                    throw AimException.failedPrecondition(LibvirtCodeReason.of(LibvirtErrors.OPERATION_INVALID),
                            selector.describe() + " is "
                            + DomainStates.describe(state) + ": " + verb + " it is not possible in that state");
                }
                throw failure;
            }
            return stateOf(domain);
        });
    }

    /** Looks the domain up, reads from it and frees its handle; failures are mapped from libvirt's true error. */
    <T> T onDomain(String verb, DomainSelector selector, Handles.HandleWork<Domain, T> work) throws AimException {
        return connection.call(verb + " " + selector.describe(),
                connect -> Handles.using(lookup(connect, selector), work));
    }

    /** {@link #onDomain} for an action that can take seconds: on the actions connection. */
    private <T> T actOnDomain(String verb, DomainSelector selector, Handles.HandleWork<Domain, T> work) throws AimException {
        return connection.act(verb + " " + selector.describe(),
                connect -> Handles.using(lookup(connect, selector), work));
    }

    static Domain lookup(Connect connect, DomainSelector selector) throws LibvirtException {
        return selector.byUuid() ? connect.domainLookupByUUIDString(selector.uuid())
                : connect.domainLookupByName(selector.name());
    }

    /** State of the domain right now; GONE for a transient domain that stopped (and so vanished). */
    static int stateOf(Domain domain) throws LibvirtException {
        try {
            return DomainStateReader.state(domain);
        } catch (LibvirtException failure) {
            if (LibvirtErrors.trueError(failure).code() == LibvirtErrors.NO_DOMAIN) {
                return DomainStates.GONE;
            }
            throw failure;
        }
    }

    private static DomainSummary summary(Domain domain, boolean includeXml) throws LibvirtException {
        DomainStateReader.Reading info = DomainStateReader.read(domain);
        return new DomainSummary(domain.getUUIDString(), domain.getName(), info.state(), info.vcpus(),
                info.memoryKib() * 1024L, info.maxMemoryKib() * 1024L, domain.isPersistent() == 1,
                includeXml ? domain.getXMLDesc(XML_PLAIN) : "");
    }
}
