package com.abiquo.aim.server;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.AimSettingsReader;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigSchema;
import com.abiquo.aim.core.module.AimModule;
import com.abiquo.aim.server.metrics.MetricsSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code abiquo-aim} command: reads aim.ini, starts the modules and the gRPC server, stops on SIGTERM/SIGINT. */
@Command(name = "abiquo-aim",
        versionProvider = AimMain.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "AIM, the Abiquo node agent for KVM hypervisors: a gRPC server for virtual machines (libvirt), their "
                + "events, VLANs, iSCSI storage and the image repository.",
            "",
            "Without -c, the configuration is the first of: ./aim.ini, <install folder>/conf/aim.ini, "
                + "/etc/abiquo-aim/aim.ini.",
        },
        footer = {
            "",
            "Exit status: 0 after a clean stop (SIGTERM, SIGINT), 1 when the configuration or start-up fails, "
                + "2 on a bad command line.",
        })
public final class AimMain implements Callable<Integer> {
    static final String SYSTEM_CONFIG = "/etc/abiquo-aim/aim.ini";

    @Spec
    private CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Option(names = {"-v", "--version"}, versionHelp = true, description = "Print version and git revision, exit.")
    private boolean version;

    @Option(names = {"-c", "--config-file"}, paramLabel = "<file>",
            description = "Configuration file (aim.ini). Default: the first found of ./aim.ini, "
                + "<install folder>/conf/aim.ini, " + SYSTEM_CONFIG + ".")
    private Path configFile;

    @Option(names = {"-d", "--daemon"},
            description = "Run in the background: the bin/abiquo-aim launcher detaches, writes a pid file "
                + "($AIM_PID_FILE, default /run/abiquo-aim.pid) and logs to syslog only.")
    private boolean daemon;

    @Option(names = {"-t", "--threads"}, paramLabel = "<n>", defaultValue = "4",
            description = "Threads that run requests (default: ${DEFAULT-VALUE}); as many more run the modules' long "
                + "work such as image copies. Health checks have threads of their own.")
    private int threads;

    @Option(names = "--check-config",
            description = "Check the configuration file (sections, keys, [server] values) and exit, without "
                + "starting anything; the modules check their own values when AIM starts.")
    private boolean checkConfig;

    @Option(names = "--print-config-reference",
            description = "Print every accepted section and key with its default and meaning (Markdown), exit.")
    private boolean printReference;

    @Option(names = "--print-default-config",
            description = "Print a complete aim.ini with every key at its default, documented, and exit.")
    private boolean printDefaults;

    public static void main(String[] args) {
        int status = run(args);
        LogManager.shutdown();
        System.exit(status);
    }

    /** Runs the command line and returns the exit status (tests call this; it never calls System.exit). */
    public static int run(String... args) {
        return new CommandLine(new AimMain()).execute(args);
    }

    /** As {@link #run(String...)}, writing help, version and usage errors to the given writers. */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        return new CommandLine(new AimMain()).setOut(out).setErr(err).execute(args);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (threads < 1 || threads > 1024) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "-t/--threads must be from 1 to 1024, not " + threads);
        }
        List<AimModule> modules;
        try {
            modules = ModuleLoader.load();
        } catch (ServiceConfigurationError broken) {
            LogManager.getLogger(AimMain.class).error("a module cannot be loaded: {}", broken.getMessage(), broken);
            return 1;
        }
        ConfigSchema schema = ModuleLoader.schema(modules);
        if (printDefaults) {
            out.print(ConfigReference.defaultIni(schema));
            out.flush();
            return 0;
        }
        if (printReference) {
            out.print(ConfigReference.markdown(schema));
            out.flush();
            return 0;
        }
        Logger log = LogManager.getLogger(AimMain.class);
        AimServer server;
        CountDownLatch stopSignal = new CountDownLatch(1);
        try {
            Path file = configFile != null ? configFile : defaultConfigFile();
            AimSettings settings = AimSettingsReader.read(file);
            ConfigValidator.validate(settings, schema);
            Path folder = file.toAbsolutePath().getParent();
            ServerSettings serverSettings = ServerSettings.from(settings, folder);
            MetricsSettings.from(settings); // --check-config refuses a bad [metrics] value too
            server = new AimServer(serverSettings, settings, folder, modules, threads, BuildInfo.load());
            if (checkConfig) {
                out.println(file + ": configuration is valid");
                out.flush();
                return 0;
            }
            log.info("configuration {}; modules: {}", file, modules.stream().map(AimModule::name).toList());
            warnAboutLauncherDuties(log);
            // before start: a SIGTERM while modules start still ends in a graceful stop and status 0
            Signals.onTerminate(signal -> {
                log.info("received SIG{}: shutting down", signal);
                stopSignal.countDown();
            });
            server.start();
            try {
                writePidFile();
            } catch (IOException failure) {
                server.stop();
                throw failure;
            }
        } catch (ConfigException bad) {
            // logged once: stderr (unless -d) and syslog both show it
            log.error("configuration refused: {}", bad.getMessage());
            removePidFile();
            return 1;
        } catch (IOException | RuntimeException failure) {
            log.error("AIM failed to start: {}", String.valueOf(failure.getMessage()), failure);
            removePidFile();
            return 1;
        }
        try {
            stopSignal.await();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        server.stop();
        removePidFile();
        log.info("AIM stopped cleanly");
        return 0;
    }

    /** What bin/abiquo-aim does for the JVM; said once when AIM was started without it. */
    private void warnAboutLauncherDuties(Logger log) {
        if (daemon && System.getProperty("aim.pidFile") == null) {
            log.warn("-d is done by the bin/abiquo-aim launcher (the JVM cannot detach itself): running in the "
                    + "foreground");
        }
        if (!java.util.logging.LogManager.getLogManager().getClass().getName().startsWith("org.apache.logging")) {
            log.warn("grpc-java's logging (java.util.logging) is not routed to log4j2: start AIM with bin/abiquo-aim "
                    + "or -Djava.util.logging.manager=org.apache.logging.log4j.jul.LogManager");
        }
    }

    /**
     * With -d the launcher waits for this file: written once the server listens (not when the JVM merely started),
     * through a temporary and a rename so that a reader never sees a half-written number.
     */
    private static void writePidFile() throws IOException {
        String pidFile = System.getProperty("aim.pidFile");
        if (pidFile != null && !pidFile.isBlank()) {
            Path file = Path.of(pidFile);
            Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.writeString(temporary, ProcessHandle.current().pid() + "\n");
            Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** The launcher's -d writes a pid file and names it in aim.pidFile; a clean stop removes it. */
    private static void removePidFile() {
        String pidFile = System.getProperty("aim.pidFile");
        if (pidFile != null && !pidFile.isBlank()) {
            try {
                Files.deleteIfExists(Path.of(pidFile));
            } catch (IOException ignored) {
                // a stale pid file is harmless: the launcher checks whether that process still runs
            }
        }
    }

    /** ./aim.ini, then the install folder's conf/aim.ini (the launcher sets aim.home), then /etc. */
    static Path defaultConfigFile() throws ConfigException {
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of("aim.ini"));
        String home = System.getProperty("aim.home");
        if (home != null && !home.isBlank()) {
            candidates.add(Path.of(home, "conf", "aim.ini"));
        }
        candidates.add(Path.of(SYSTEM_CONFIG));
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new ConfigException("no configuration file: looked for " + candidates.stream()
                .map(Path::toString).toList() + "; pass one with -c <file>");
    }

    /** -v: version and the git revision the build came from. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            BuildInfo build = BuildInfo.load();
            return new String[] {"abiquo-aim " + build.version(), "git revision " + build.gitRevision()};
        }
    }
}
