package com.abiquo.aim.rimp;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigSchema;
import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.metrics.NodeMetrics;
import com.abiquo.aim.core.module.AimModule;
import com.abiquo.aim.core.module.ModuleContext;
import com.abiquo.aim.rimp.copy.DestinationLocks;
import com.abiquo.aim.rimp.copy.ImageCopier;
import com.abiquo.aim.rimp.copy.Temporaries;
import com.abiquo.aim.rimp.datastore.Datastores;
import com.abiquo.aim.rimp.datastore.MountTable;
import com.abiquo.aim.rimp.grpc.RimpGrpcService;
import com.abiquo.aim.rimp.grpc.RunningCalls;
import com.abiquo.aim.rimp.image.ImageOperations;
import com.abiquo.aim.rimp.image.Repository;
import com.abiquo.aim.rimp.image.Roots;
import com.abiquo.aim.rimp.image.Uploads;
import com.abiquo.aim.rimp.net.NetInterfaces;
import io.grpc.BindableService;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The rimp module: RimpService over the repository and the node's datastores. Start-up never fails for a missing
 * repository: the service reports NOT_SERVING and the calls that need it answer FAILED_PRECONDITION.
 */
public final class RimpModule implements AimModule {
    private static final Logger LOG = LogManager.getLogger(RimpModule.class);
    /** Temporaries are made next to their destination: at most this deep in a datastore, deeper in the repository. */
    private static final int DATASTORE_SWEEP_DEPTH = 4;
    private static final int REPOSITORY_SWEEP_DEPTH = 12;
    private static final long STOP_TIMEOUT_MILLIS = 5_000;
    private static final long HEALTH_CHECK_SECONDS = 30;
    /** A repository check that takes longer than this is reported as hung (NOT_SERVING). */
    private static final Duration HEALTH_CHECK_BOUND = Duration.ofSeconds(5);

    private final Path mountTable;
    private final Path sysClassNet;
    private RimpGrpcService service;
    private RunningCalls running;
    private Future<?> sweep = CompletableFuture.completedFuture(null);
    private Future<?> healthCheck = CompletableFuture.completedFuture(null);
    private RepositoryWatch watch;

    public RimpModule() {
        this(MountTable.PROC_MOUNTS, NetInterfaces.SYS_CLASS_NET);
    }

    /** For tests: another mount table or sysfs folder. */
    public RimpModule(Path mountTable, Path sysClassNet) {
        this.mountTable = mountTable;
        this.sysClassNet = sysClassNet;
    }

    @Override
    public String name() {
        return "rimp";
    }

    @Override
    public ConfigSchema configSchema() {
        return RimpConfig.schema();
    }

    @Override
    public void checkConfig(AimSettings settings, Path configFolder) throws ConfigException {
        RimpConfig.read(settings, configFolder);
    }

    @Override
    public void start(ModuleContext context) throws ConfigException {
        RimpConfig config = RimpConfig.read(context.settings(), context.configFolder());
        Repository repository = new Repository(config.repository());
        Datastores datastores = new Datastores(config.datastores(), new HashSet<>(config.datastoreValidTypes()),
                mountTable, Set.of(config.repository()));
        Temporaries temporaries = new Temporaries(context.node().hostname());
        DestinationLocks locks = new DestinationLocks();
        Roots roots = new Roots(repository, datastores);
        ImageCopier copier = new ImageCopier(temporaries);
        NodeMetrics.of(context).add(copier.metrics());
        ImageOperations images = new ImageOperations(roots, copier, locks, config.autoBackup(), config.autoRestore());
        running = new RunningCalls();
        service = new RimpGrpcService(repository, datastores, new NetInterfaces(sysClassNet), images,
                new Uploads(roots, temporaries, locks, config.uploadMaxBytes()), context.requestExecutor(),
                context.health(), running, config.maxConcurrentCopies(), config.autoBackup(), config.autoRestore());
        RimpGrpcService checked = service;
        watch = new RepositoryWatch(checked::checkAndReport, checked::reportUnanswered, HEALTH_CHECK_BOUND);
        // a hung NFS repository must not hang start-up either: the first check is bounded the same way
        watch.checkNow().filter(check -> !check.valid()).ifPresent(check -> LOG.warn(
                "Rimp repository problems (image calls will fail until fixed): {}",
                String.join("; ", check.problems())));
        sweep = context.requestExecutor().submit(() -> sweep(temporaries, repository, datastores));
        // an NFS repository mounted (or lost) later changes the health without anyone calling the check; the
        // scheduler is shared by every module, so its tick only hands the check to the watch's own thread
        healthCheck = context.scheduler().scheduleWithFixedDelay(watch::tick, HEALTH_CHECK_SECONDS,
                HEALTH_CHECK_SECONDS, TimeUnit.SECONDS);
    }

    /** Removes temporaries left by a crash; in the background, so that start-up does not wait for a slow NFS. */
    private static void sweep(Temporaries temporaries, Repository repository, Datastores datastores) {
        Instant now = Instant.now();
        List<Path> removed = new ArrayList<>(temporaries.sweep(List.of(repository.folder()), REPOSITORY_SWEEP_DEPTH,
                now));
        try {
            removed.addAll(temporaries.sweep(datastores.folders(), DATASTORE_SWEEP_DEPTH, now));
        } catch (AimException failure) {
            LOG.warn("Cannot list the datastores to sweep temporaries: {}", failure.getMessage());
        }
        if (!removed.isEmpty()) {
            LOG.info("Removed {} temporaries left by an earlier run", removed.size());
        }
    }

    /** The start-up sweep, for tests that wait for it. */
    public Future<?> sweep() {
        return sweep;
    }

    @Override
    public List<BindableService> services() {
        if (service == null) {
            throw new IllegalStateException("RimpModule.services() called before start()");
        }
        return List.of(service);
    }

    @Override
    public void stop() {
        healthCheck.cancel(false);
        if (watch != null) {
            watch.close();
        }
        if (running != null) {
            running.stopAll(STOP_TIMEOUT_MILLIS);
        }
    }
}
