package com.abiquo.aim.ctl;

import com.abiquo.aim.client.AimClient;
import com.abiquo.aim.client.AimClientException;
import io.grpc.Status;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * aimctl: AIM's command line for node operators. Every command talks to one agent over gRPC; exit codes are the
 * gRPC status code of the failed call (0 on success, 14 when the agent cannot be reached, 3 for a refused argument,
 * 5 for something not found...), 64 for a command line aimctl itself cannot read.
 */
@Command(name = "aimctl", mixinStandardHelpOptions = true, versionProvider = AimCtl.Version.class,
        exitCodeOnInvalidInput = AimCtl.USAGE_EXIT_CODE, exitCodeOnExecutionException = 2,
        description = "Talks to an AIM node agent: its state, domains, events, copies, VLANs and iSCSI.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1-16:the gRPC status code of the failed call (14 UNAVAILABLE: agent not"
                + " reached, 3 INVALID_ARGUMENT, 5 NOT_FOUND, 9 FAILED_PRECONDITION, ...)",
                "64:a command line aimctl cannot read"},
        subcommands = {InfoCommand.class, DomainsCommand.class, DomainCommand.class, EventsCommand.class,
                DeployCommand.class, SnapshotCommand.class, UploadCommand.class, VlansCommand.class,
                VlanCommand.class, IqnCommand.class, RescanCommand.class,
                AutoComplete.GenerateCompletion.class})
public final class AimCtl {
    static final int USAGE_EXIT_CODE = 64;

    @Option(names = "--address", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT",
            defaultValue = "${AIMCTL_ADDRESS:-127.0.0.1:60606}",
            description = "The agent's address (default: ${DEFAULT-VALUE}; env AIMCTL_ADDRESS).")
    String address;

    @Option(names = "--ca", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "PEM file of the CA that signed the agent's certificate: use TLS.")
    Path ca;

    @Option(names = "--cert", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "PEM file of this client's certificate, for mutual TLS (with --key).")
    Path cert;

    @Option(names = "--key", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "PEM file of this client's private key, for mutual TLS (with --cert).")
    Path key;

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "FORMAT", defaultValue = "table",
            description = "table (default) or json (the agent's messages as JSON).")
    OutputFormat output;

    AimClient connect() {
        AimClient.Builder builder = AimClient.builder(address);
        if (ca != null) {
            builder.trustedCa(ca);
        }
        if (cert != null || key != null) {
            if (cert == null || key == null) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--cert and --key go together");
            }
            builder.clientCertificate(cert, key);
        }
        return builder.build();
    }

    Output output(CommandLine.Model.CommandSpec spec) {
        return new Output(spec.commandLine().getOut(), output == null ? OutputFormat.table : output);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine commandLine = new CommandLine(new AimCtl());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setExecutionExceptionHandler(AimCtl::report);
        CommandLine.IParameterExceptionHandler usage = commandLine.getParameterExceptionHandler();
        commandLine.setParameterExceptionHandler((failure, arguments) -> {
            usage.handleParseException(failure, arguments);
            return USAGE_EXIT_CODE; // every subcommand's, not only the top command's
        });
        return commandLine.execute(args);
    }

    /** A failure is one line on stderr with AIM's reason and message; never a stack trace. */
    private static int report(Exception failure, CommandLine commandLine, CommandLine.ParseResult parsed) {
        PrintWriter err = commandLine.getErr();
        if (failure instanceof CommandLine.ParameterException usage) {
            err.println("aimctl: " + usage.getMessage());
            return USAGE_EXIT_CODE;
        }
        AimClientException aim = AimClientException.from(failure);
        if (aim.code() == Status.Code.UNKNOWN && !(failure instanceof AimClientException)
                && !(failure instanceof io.grpc.StatusRuntimeException)) {
            err.println("aimctl: " + failure.getMessage());
            return 1;
        }
        err.println("aimctl: " + aim.code() + (aim.reasonName().isEmpty() ? "" : " " + aim.reasonName()) + ": "
                + aim.getMessage());
        return aim.code().value();
    }

    /** The version of aimctl (from the jar's manifest). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = AimCtl.class.getPackage().getImplementationVersion();
            return new String[] {"aimctl " + (version == null ? "(development build)" : version)};
        }
    }

    enum OutputFormat { table, json }
}
