package com.abiquo.aim.client;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.v1.EventsMonitorServiceGrpc;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import com.abiquo.aim.v1.NodeServiceGrpc;
import com.abiquo.aim.v1.RimpServiceGrpc;
import com.abiquo.aim.v1.StorageServiceGrpc;
import com.abiquo.aim.v1.VlanServiceGrpc;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A connection to one AIM agent: the channel (plaintext, TLS or mutual TLS from PEM files) and its typed stubs.
 * Calls made through {@link #call} fail with {@link AimClientException}, whose reason a caller can switch on:
 * <pre>{@code
 * try (AimClient aim = AimClient.builder("node1:60606").build()) {
 *     var domains = aim.call(() -> aim.libvirt().listDomains(ListDomainsRequest.getDefaultInstance()));
 * } catch (AimClientException failure) {
 *     switch (failure.reason()) { case DOMAIN_NOT_FOUND -> ...; default -> throw failure; }
 * }
 * }</pre>
 */
public final class AimClient implements AutoCloseable {
    /** AIM's default port. */
    public static final int DEFAULT_PORT = 60606;

    private final String address;
    private final ManagedChannel channel;

    private AimClient(String address, ManagedChannel channel) {
        this.address = requireNonNull(address, "address is null");
        this.channel = requireNonNull(channel, "channel is null");
    }

    /** A client of the agent at {@code host:port} ({@code [v6]:port}; the port defaults to 60606). */
    public static Builder builder(String address) {
        return new Builder(address);
    }

    /** A client on a channel the caller built (and closes): in-process tests, custom transports. */
    public static AimClient of(String address, ManagedChannel channel) {
        return new AimClient(address, channel);
    }

    public String address() {
        return address;
    }

    public ManagedChannel channel() {
        return channel;
    }

    public NodeServiceGrpc.NodeServiceBlockingStub node() {
        return NodeServiceGrpc.newBlockingStub(channel);
    }

    public LibvirtServiceGrpc.LibvirtServiceBlockingStub libvirt() {
        return LibvirtServiceGrpc.newBlockingStub(channel);
    }

    public VlanServiceGrpc.VlanServiceBlockingStub vlan() {
        return VlanServiceGrpc.newBlockingStub(channel);
    }

    public StorageServiceGrpc.StorageServiceBlockingStub storage() {
        return StorageServiceGrpc.newBlockingStub(channel);
    }

    public RimpServiceGrpc.RimpServiceBlockingStub rimp() {
        return RimpServiceGrpc.newBlockingStub(channel);
    }

    public RimpServiceGrpc.RimpServiceStub rimpAsync() {
        return RimpServiceGrpc.newStub(channel);
    }

    public EventsMonitorServiceGrpc.EventsMonitorServiceBlockingStub events() {
        return EventsMonitorServiceGrpc.newBlockingStub(channel);
    }

    /** Runs one call; any gRPC failure comes out as an {@link AimClientException}. */
    public <T> T call(Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException failure) {
            throw AimClientException.from(failure);
        }
    }

    /** A watcher of this agent's domain events (see {@link EventWatcher}). */
    public EventWatcher.Builder watcher(DomainEventHandler handler) {
        return EventWatcher.builder(channel, handler);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Builds a client: plaintext by default, TLS with a CA, mutual TLS with a certificate and key as well. */
    public static final class Builder {
        private final String address;
        private Path caFile;
        private Path certificateFile;
        private Path keyFile;

        private Builder(String address) {
            this.address = requireNonNull(address, "address is null");
        }

        /** PEM file of the CA that signed the agent's certificate: the channel uses TLS. */
        public Builder trustedCa(Path caFile) {
            this.caFile = caFile;
            return this;
        }

        /** PEM files of this client's certificate (chain) and private key, for mutual TLS. */
        public Builder clientCertificate(Path certificateFile, Path keyFile) {
            this.certificateFile = certificateFile;
            this.keyFile = keyFile;
            return this;
        }

        public AimClient build() {
            if ((certificateFile == null) != (keyFile == null)) {
                throw new IllegalArgumentException("a client certificate needs its key, and a key its certificate");
            }
            ChannelCredentials credentials = credentials();
            ManagedChannel channel = Grpc.newChannelBuilder(target(address), credentials).build();
            return new AimClient(address, channel);
        }

        private ChannelCredentials credentials() {
            if (caFile == null && certificateFile == null) {
                return InsecureChannelCredentials.create();
            }
            try {
                TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
                if (caFile != null) {
                    tls.trustManager(caFile.toFile());
                }
                if (certificateFile != null) {
                    tls.keyManager(certificateFile.toFile(), keyFile.toFile());
                }
                return tls.build();
            } catch (IOException unreadable) {
                throw new UncheckedIOException("cannot read the TLS files: " + unreadable.getMessage(), unreadable);
            }
        }

        /** "host" -> "host:60606"; "host:port" and "[v6]:port" as given (grpc's dns resolver takes them). */
        static String target(String address) {
            String trimmed = address.trim();
            if (trimmed.isEmpty()) {
                throw new IllegalArgumentException("the agent's address is empty");
            }
            boolean bracketed = trimmed.startsWith("[");
            boolean hasPort = bracketed ? trimmed.contains("]:") : trimmed.chars().filter(c -> c == ':').count() == 1;
            if (hasPort) {
                return trimmed;
            }
            if (!bracketed && trimmed.indexOf(':') >= 0) {
                return "[" + trimmed + "]:" + DEFAULT_PORT;
            }
            return trimmed + ":" + DEFAULT_PORT;
        }
    }
}
