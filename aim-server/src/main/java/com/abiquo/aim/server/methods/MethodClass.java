package com.abiquo.aim.server.methods;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.server.calls.CallClass;
import com.abiquo.aim.server.security.Access;

/**
 * What the server must know of one gRPC method: the pool it runs on and the role a client needs to call it.
 *
 * @param callClass the pool: a read, an action, a copy, or the server's own for health and reflection
 * @param access the least role a client must have once [authorization] is set
 */
public record MethodClass(CallClass callClass, Access access) {
    public MethodClass {
        requireNonNull(callClass, "callClass is null");
        requireNonNull(access, "access is null");
    }
}
