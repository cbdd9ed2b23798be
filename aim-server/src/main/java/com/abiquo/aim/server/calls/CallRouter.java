package com.abiquo.aim.server.calls;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.server.methods.MethodTable;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Chooses the pool a call runs on, and admits it there, when the call arrives. Health, reflection and NodeService
 * stay on the server's own small pool: a node busy with slow calls must still answer its health checks, or an
 * orchestrator would restart a healthy agent.
 *
 * <p>The decision is written into the call's headers ({@link #ADMISSION}) for {@link AdmissionInterceptor}, which
 * refuses a call that found its class full and gives an admitted call's place back when it ends. The router runs
 * before any interceptor, and a refused call runs on the server's pool, so a refusal never waits behind the calls
 * that filled the class.
 */
public final class CallRouter implements ServerCallExecutorSupplier {
    static final Metadata.Key<String> ADMISSION = Metadata.Key.of("aim-internal-admission",
            Metadata.ASCII_STRING_MARSHALLER);
    static final String ADMITTED = "admitted:";
    static final String REFUSED = "refused:";

    // Open for as long as the client listens; it holds no thread while open, so it takes no place in the bound
    private static final Set<String> LONG_LIVED_STREAMS = Set.of("abiquo.aim.v1.EventsMonitorService/Subscribe");

    private final CallPools pools;

    public CallRouter(CallPools pools) {
        this.pools = requireNonNull(pools, "pools is null");
    }

    @Override
    public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
        headers.removeAll(ADMISSION); // only the router says what was admitted, never a client
        String method = call.getMethodDescriptor().getFullMethodName();
        CallClass callClass = MethodTable.callClass(method);
        if (callClass == CallClass.INFRASTRUCTURE) {
            return null;
        }
        CallPool pool = pools.pool(callClass);
        if (LONG_LIVED_STREAMS.contains(method)) {
            return pool.executor();
        }
        if (!pool.tryAdmit()) {
            headers.put(ADMISSION, REFUSED + pool.callClass().name());
            return null;
        }
        headers.put(ADMISSION, ADMITTED + pool.callClass().name());
        return pool.executor();
    }
}
