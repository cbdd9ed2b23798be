package com.abiquo.aim.server.security;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.server.ServerSettings;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * What the server needs for TLS and roles, and what SIGHUP reloads: the TLS files and [authorization]. Without
 * mutual TLS there are no roles (every client may do everything, as the start-up warnings say).
 */
public final class ServerSecurity {
    private static final Logger LOG = LogManager.getLogger(ServerSecurity.class);

    private final Optional<ReloadableTls> tls;
    private final Optional<AuthorizationInterceptor> authorization;

    private ServerSecurity(Optional<ReloadableTls> tls, Optional<AuthorizationInterceptor> authorization) {
        this.tls = requireNonNull(tls, "tls is null");
        this.authorization = requireNonNull(authorization, "authorization is null");
    }

    /**
     * Loads the TLS files (once: a file that cannot be used is a ConfigException naming its [server] setting, before
     * anything listens) and [authorization]; ConfigException for a section that cannot apply.
     */
    public static ServerSecurity load(ServerSettings server, AimSettings settings) throws ConfigException, IOException {
        Optional<ReloadableTls> tls = server.tls()
                ? Optional.of(new ReloadableTls(server.tlsCertificate().get(), server.tlsKey().get(),
                        server.tlsClientCa()))
                : Optional.empty();
        AccessPolicy policy = AuthorizationSettings.from(settings, server.mutualTls());
        if (!server.mutualTls()) {
            return new ServerSecurity(tls, Optional.empty());
        }
        warnWhenEveryoneOperates(policy);
        return new ServerSecurity(tls, Optional.of(new AuthorizationInterceptor(policy)));
    }

    public ServerCredentials credentials() {
        return tls.map(ReloadableTls::credentials).orElseGet(InsecureServerCredentials::create);
    }

    /**
     * Interceptors every call goes through, in the order to add them to the server builder (the last added runs
     * first): the role check (with mutual TLS), then the audit trail, which so also records refusals.
     */
    public List<ServerInterceptor> interceptors() {
        List<ServerInterceptor> interceptors = new ArrayList<>();
        authorization.ifPresent(interceptors::add);
        interceptors.add(new AuditInterceptor());
        return List.copyOf(interceptors);
    }

    /**
     * SIGHUP: reads the TLS files and {@code settings}' [authorization] again. What fails to load keeps its previous
     * version; the answer lists the failures, each naming its file or section (empty: all reloaded).
     */
    public List<String> reload(AimSettings settings) {
        List<String> failures = new ArrayList<>();
        tls.ifPresent(reloadable -> failures.addAll(reloadable.reload()));
        if (authorization.isPresent()) {
            try {
                AccessPolicy policy = AuthorizationSettings.from(settings, true);
                authorization.get().replace(policy);
                warnWhenEveryoneOperates(policy);
            } catch (ConfigException refused) {
                String failure = refused.getMessage() + ": the previous [authorization] stays in force";
                LOG.error(failure);
                failures.add(failure);
            }
        } else if (AuthorizationSettings.configured(settings)) {
            String failure = settings.source() + ": [authorization] is ignored until AIM restarts with mutual TLS "
                    + "([server] tlsCertificate, tlsKey and tlsClientCa)";
            LOG.error(failure);
            failures.add(failure);
        }
        return List.copyOf(failures);
    }

    private static void warnWhenEveryoneOperates(AccessPolicy policy) {
        if (policy.everyoneOperates()) {
            LOG.warn("no [authorization] section: every client with a certificate of [server] tlsClientCa is an "
                    + "operator and may change everything on this node; list [authorization] readers and operators "
                    + "to give monitoring clients read access only");
        } else if (policy.readers().isEmpty() && policy.operators().isEmpty()) {
            LOG.warn("[authorization] lists no readers and no operators: every call but health is refused");
        }
    }
}
