package com.abiquo.aim.server;

import com.abiquo.aim.client.AimClient;
import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.AimSettingsReader;
import com.abiquo.aim.testing.Ports;
import com.abiquo.aim.v1.DefineDomainRequest;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.DomainSnapshot;
import com.abiquo.aim.v1.ListDomainsRequest;
import com.abiquo.aim.v1.PauseDomainRequest;
import com.abiquo.aim.v1.ResumeDomainRequest;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The whole agent (every module, Netty on loopback, libvirt's test driver) in this JVM, restartable on the same
 * port: a restart is a new run of the agent (new sequence numbers, a fresh test driver with only its "test"
 * domain), as after a crash. {@link #admin} is a direct client that bypasses any proxy.
 */
final class RunningAim implements AutoCloseable {
    private final Path folder;
    private final Path config;
    private AimServer server;
    private int port;
    private ManagedChannel channel;
    private AimClient admin;

    RunningAim(String monitorLines) throws Exception {
        this(monitorLines, "test:///default", "");
    }

    /**
     * An agent on libvirt at {@code libvirtUri} (a private daemon's), with {@code extraSections} (whole sections,
     * e.g. {@code [eventbus]}) appended to its aim.ini.
     */
    RunningAim(String monitorLines, String libvirtUri, String extraSections) throws Exception {
        folder = Files.createTempDirectory("aim-client-");
        Path written = SafeConfig.write(folder, "");
        String text = Files.readString(written).replace("[monitor]\n", "[monitor]\n" + monitorLines)
                .replace("uri = test:///default\n", "uri = " + libvirtUri + "\n");
        config = written;
        Files.writeString(config, text + "\n" + extraSections);
        // not port 0: startAgain binds the port again after the clients' reconnects had it free for a while
        start(Ports.reusable());
    }

    private void start(int wantedPort) throws Exception {
        String text = Files.readString(config).replaceFirst("(?m)^port = .*$", "port = " + wantedPort);
        Files.writeString(config, text);
        AimSettings settings = AimSettingsReader.read(config);
        var modules = ModuleLoader.load();
        ConfigValidator.validate(settings, ModuleLoader.schema(modules));
        server = new AimServer(ServerSettings.from(settings, folder), settings, folder, modules, 4, BuildInfo.load());
        server.start();
        port = server.port();
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create()).build();
        admin = AimClient.of("127.0.0.1:" + port, channel);
    }

    Path folder() {
        return folder;
    }

    int port() {
        return port;
    }

    AimClient admin() {
        return admin;
    }

    /** Stops the agent (streams end with UNAVAILABLE) and leaves it stopped. */
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.stop();
    }

    /** Starts a new run of the agent on the same port. */
    void startAgain() throws Exception {
        start(port);
    }

    String define(String name) {
        return admin.call(() -> admin.libvirt().defineDomain(DefineDomainRequest.newBuilder()
                .setXml("<domain type='test'><name>" + name + "</name><memory unit='MiB'>64</memory>"
                        + "<os><type>hvm</type></os></domain>").build())).getDomain().getUuid();
    }

    /** Pauses and resumes the test driver's running "test" domain: two events. */
    void pauseAndResume(String name) {
        DomainRef ref = DomainRef.newBuilder().setName(name).build();
        admin.call(() -> admin.libvirt().pauseDomain(PauseDomainRequest.newBuilder().setDomain(ref).build()));
        admin.call(() -> admin.libvirt().resumeDomain(ResumeDomainRequest.newBuilder().setDomain(ref).build()));
    }

    /** What libvirt lists now, as the watcher's cache should show it: uuid -> (uuid, name, state). */
    Map<String, DomainSnapshot> libvirtDomains() {
        Map<String, DomainSnapshot> domains = new TreeMap<>();
        admin.call(() -> admin.libvirt().listDomains(ListDomainsRequest.getDefaultInstance())).getDomainsList()
                .forEach(d -> domains.put(d.getUuid(), DomainSnapshot.newBuilder().setDomainUuid(d.getUuid())
                        .setDomainName(d.getName()).setState(d.getState()).build()));
        return domains;
    }

    @Override
    public void close() throws Exception {
        stop();
        new ProcessBuilder("rm", "-rf", folder.toString()).start().waitFor();
    }
}
